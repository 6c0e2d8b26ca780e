// Every reason a review command can be refused, in one catalogue: a stable code clients
// match on, the HTTP status it travels with, and plain words. The HTTP API, the console and
// the batch results all name a refusal by these codes.
import { ApprovalRoute } from '@hitl/contracts';
import { ApprovalStatus } from './approval';

/** Why a reviewer may not do what they asked: an HTTP status, a stable code, plain words. */
export interface Refusal {
  status: 403 | 409 | 422;
  code: RefusalCode;
  message: string;
}

/** Every code a refusal can carry. */
export const REFUSAL_CODES = [
  'already_resolved',
  'wrong_workspace',
  'wrong_role',
  'requester',
  'self_granted',
  'already_approved',
  'stale_payload',
  'unknown_option',
  'use_rollback',
  'edit_blocked',
  'parameters_invalid',
  'edit_needs_authority',
  'clarification_pending',
  'not_post_review',
  'rollback_window_closed',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

const refusal = (status: Refusal['status'], code: RefusalCode, message: string): Refusal => ({ status, code, message });

export const refusals = {
  /** Decided already (or rolled back, or confirmed): nothing more to do on it. */
  alreadyResolved: (status: ApprovalStatus) => refusal(409, 'already_resolved', `the approval is already ${status}`),
  wrongWorkspace: (actorId: string, workspace: string) => refusal(403, 'wrong_workspace', `${actorId} does not review for workspace ${workspace}`),
  wrongRole: (actorId: string, role: string, held: string[]) =>
    refusal(403, 'wrong_role', `deciding it needs the role ${role} (or one above it); ${actorId} holds ${held.join(', ') || 'none'}`),
  /** The person the action is for never approves it (also a database constraint). */
  requester: (actorId: string) => refusal(403, 'requester', `${actorId} is the person this action is for and may not approve it`),
  /** Nobody approves on authority they gave themselves (their roles or workspaces last widened by them). */
  selfGranted: (actorId: string) =>
    refusal(403, 'self_granted', `${actorId} last widened their own roles or workspaces, so may not approve on them until another admin grants them`),
  alreadyApproved: (actorId: string, required: number) =>
    refusal(409, 'already_approved', `${actorId} already approved it; it needs ${required} distinct reviewers`),
  stalePayload: (shown: string, now: string) =>
    refusal(409, 'stale_payload', `the payload changed since it was shown (shown ${shown}, now ${now}); reload it and decide again`),
  unknownOption: (option: string, offered: string[]) =>
    refusal(422, 'unknown_option', `chosen_option "${option}" is not one of the agent's options (${offered.join(', ') || 'none offered'})`),
  /** Post-review: the action ran; approving confirms it, only a rollback undoes it. */
  useRollback: () => refusal(422, 'use_rollback', 'this action already ran: approve confirms it, POST /approvals/:id/rollback undoes it'),
  editBlocked: (decidedBy: string) => refusal(422, 'edit_blocked', `the policy blocks the edited parameters: ${decidedBy}`),
  /** The parameters as proposed fail the action's schema (the repair loop sent them to a person): edit or deny. */
  parametersInvalid: (errors: string) =>
    refusal(422, 'parameters_invalid', `the parameters fail the action's schema (${errors}); edit them into valid parameters, or deny`),
  editNeedsAuthority: (role: string, decidedBy: string, actorId: string, held: string[]) =>
    refusal(403, 'edit_needs_authority', `the edited parameters need a ${role} (${decidedBy}); ${actorId} holds ${held.join(', ') || 'none'}`),
  clarificationPending: () =>
    refusal(409, 'clarification_pending', 'a question to the agent is already waiting for its answer; the clocks stay paused until it comes'),
  notPostReview: (route: ApprovalRoute) =>
    refusal(409, 'not_post_review', `only an action that already ran (route post_review) can be rolled back; this one is ${route}: deny it instead`),
  rollbackWindowClosed: (seconds: number | null, closedAt: Date) =>
    refusal(409, 'rollback_window_closed', `the ${seconds}-second rollback window closed at ${closedAt.toISOString()}`),
} as const;
