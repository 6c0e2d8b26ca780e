import { ApprovalState, OPEN_STATUSES, worksIn } from './approval';

export interface Actor {
  id: string;
  roles: string[];
  workspaces: string[];
}

/** Why a reviewer may not do what they asked: an HTTP status, a stable code, plain words. */
export interface Refusal {
  status: 403 | 409 | 422;
  code: string;
  message: string;
}

export type Act = 'approve' | 'deny' | 'edit' | 'clarify';

/** The highest rank in the action's path among the actor's roles; -1 when they hold none. */
export function authorityRank(actor: Actor, actionPath: string[]): number {
  return Math.max(-1, ...actor.roles.map((r) => actionPath.indexOf(r)));
}

/** The rank the approval's current tier demands. */
export function requiredRank(state: ApprovalState): number {
  const role = state.escalationPath[state.tier];
  const rank = state.actionPath.indexOf(role);
  return rank === -1 ? Number.MAX_SAFE_INTEGER : rank;
}

function holds(actor: Actor, state: ApprovalState): boolean {
  const role = state.escalationPath[state.tier];
  return actor.roles.includes(role) || authorityRank(actor, state.actionPath) >= requiredRank(state);
}

/**
 * May `actor` act on this approval? Only reviewers of the workspace holding the current
 * tier's role (or one above it in the action's path); never the person the action is for;
 * one vote each; and only on the payload they were shown.
 */
export function refuse(actor: Actor, state: ApprovalState, act: Act, shownPayloadHash?: string): Refusal | null {
  if (!OPEN_STATUSES.includes(state.status)) {
    return { status: 409, code: 'already_resolved', message: `the approval is already ${state.status}` };
  }
  if (!worksIn(actor, state.workspace)) {
    return { status: 403, code: 'wrong_workspace', message: `${actor.id} does not review for workspace ${state.workspace}` };
  }
  if (!holds(actor, state)) {
    return { status: 403, code: 'wrong_role', message: `deciding it needs the role ${state.escalationPath[state.tier]} (or one above it); ${actor.id} holds ${actor.roles.join(', ') || 'none'}` };
  }
  if ((act === 'approve' || act === 'edit') && state.onBehalfOf !== null && actor.id === state.onBehalfOf) {
    return { status: 403, code: 'requester', message: `${actor.id} is the person this action is for and may not approve it` };
  }
  if ((act === 'approve' || act === 'edit') && state.approvedBy.includes(actor.id)) {
    return { status: 409, code: 'already_approved', message: `${actor.id} already approved it; it needs ${state.requiredApprovals} distinct reviewers` };
  }
  if (shownPayloadHash !== undefined && shownPayloadHash !== state.payloadHash) {
    return { status: 409, code: 'stale_payload', message: `the payload changed since it was shown (shown ${shownPayloadHash}, now ${state.payloadHash}); reload it and decide again` };
  }
  return null;
}

/** Whether this approval, with `actorId`'s vote, has the distinct approvals it needs. */
export function completesApproval(state: ApprovalState, actorId: string): boolean {
  return new Set([...state.approvedBy, actorId]).size >= state.requiredApprovals;
}

/** The policy's verdict on the edited parameters, as much as authority needs of it. */
export interface Reroute {
  verdict: 'auto_approve' | 'human_review' | 'escalate' | 'block';
  /** The role the new route would start at (null for auto_approve and block). */
  reviewerRole: string | null;
  /** The rule that decided, in plain words. */
  decidedBy: string;
}

/**
 * An edit is judged as a new proposal: blocked parameters cannot be approved, and an edit
 * that crosses a threshold needs the authority that threshold demands.
 */
export function refuseEdit(actor: Actor, state: ApprovalState, reroute: Reroute): Refusal | null {
  if (reroute.verdict === 'block') {
    return { status: 422, code: 'edit_blocked', message: `the policy blocks the edited parameters: ${reroute.decidedBy}` };
  }
  if (reroute.reviewerRole === null) return null;
  const needed = state.actionPath.indexOf(reroute.reviewerRole);
  const allowed = actor.roles.includes(reroute.reviewerRole) || (needed !== -1 && authorityRank(actor, state.actionPath) >= needed);
  if (!allowed) {
    return {
      status: 403,
      code: 'edit_needs_authority',
      message: `the edited parameters need a ${reroute.reviewerRole} (${reroute.decidedBy}); ${actor.id} holds ${actor.roles.join(', ') || 'none'}`,
    };
  }
  return null;
}
