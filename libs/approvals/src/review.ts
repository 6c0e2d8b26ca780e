// A reviewer's command on an approval as one pure decision: (review, command, now) in,
// what to write and what to emit out, or a refusal from the catalogue. Approve, deny and
// edit (with their votes), post-review confirmation and rollback, and a question to the
// agent all go through here; the service only loads, decides, saves and emits.
import {
  APPROVAL_CLARIFICATION_REQUESTED,
  APPROVAL_ESCALATED,
  APPROVAL_RESOLVED,
  APPROVAL_REVIEWED,
  APPROVAL_ROLLED_BACK,
  AnyEvent,
  ApprovalRequestedData,
  Reason,
  ResolutionStatus,
  ResolvedBy,
  newEvent,
  payloadHash,
} from '@hitl/contracts';
import { ApprovalState, ApprovalStatus, Candidate } from './approval';
import { leastLoaded } from './assignment';
import { Actor, Reroute, completesApproval, refuse, refuseEdit } from './authority';
import { approvalTierDeadline } from './tiers';
import { PausedClocks, RunningClocks, clarificationDeadline, pauseClocks, refuseClarification } from './clarification';
import { Refusal, refusals } from './refusals';
import { refuseRollback } from './rollback';
import type { CanaryMark, CanaryScore } from './canaries';

/** The `source` of every event escalation emits. */
export const ESCALATION_SOURCE = 'hitl/escalation';

/** An approval as a review sees it: the rules' state, and what its events carry. */
export interface Review extends ApprovalState {
  approvalId: string;
  decisionId: string;
  action: string;
  parameters: Record<string, unknown>;
  edited: boolean;
  /** The router's request: its reasons open every resolution, its options are what a reviewer may choose. */
  request: ApprovalRequestedData;
  manifestVersion: string;
  confidence: number;
  /** When it was requested: the rollback window counts from here. */
  requestedAt: Date;
  /** null: a rollback is allowed at any time. */
  rollbackWindowSeconds: number | null;
  clocks: RunningClocks;
  clarificationTimeoutSeconds: number;
  /** A canary (a known-answer item of the manifest, never executed): what it expects. Absent or null: a real decision. */
  canary?: CanaryMark | null;
}

type Notes = string | null;

export type ReviewCommand =
  | { act: 'approve'; by: Actor; shownPayloadHash: string; notes: Notes; chosenOption: string | null }
  | { act: 'deny'; by: Actor; reason: string; shownPayloadHash?: string; notes: Notes }
  /**
   * `reroute`: the policy's verdict on the edited parameters (the caller runs the manifest
   * in force); `candidates`: who could take it if the edit moves it up a tier.
   */
  | {
      act: 'edit';
      by: Actor;
      shownPayloadHash: string;
      parameters: Record<string, unknown>;
      reroute: Reroute;
      candidates?: Candidate[];
      notes: Notes;
      chosenOption: string | null;
    }
  | { act: 'clarify'; by: Actor; clarificationId: string; question: string }
  | { act: 'rollback'; by: Actor; reason: string };

/** How a person's decision is stored and published. */
export interface Resolution {
  status: ResolutionStatus | 'rolled_back';
  resolvedBy: ResolvedBy;
  reasons: Reason[];
  notes: string | null;
  chosenOption: string | null;
}

/** Post-review: the action ran and a reviewer confirmed it (nothing to publish: the router resolved it). */
export interface Confirmation {
  reviewed_by: string;
  notes: string | null;
}

export interface Clarification {
  clarificationId: string;
  question: string;
  requestedBy: string;
  requestedAt: Date;
}

/** What the repository writes, in this order, in the command's transaction. */
export type ReviewChange =
  /** New parameters; votes for the old payload no longer count. */
  | { kind: 'edit'; parameters: Record<string, unknown>; payloadHash: string }
  | { kind: 'vote'; reviewerId: string; onBehalfOf: string | null; payloadHash: string }
  | { kind: 'finish'; status: ApprovalStatus; resolution: Resolution | Confirmation | CanaryScore }
  /** Status `clarifying`: the clocks stop with what they had left, until `until` at the latest. */
  | { kind: 'pause'; paused: PausedClocks; until: Date }
  /** Up to the tier an edit needs: a new role, reviewer (null: the role's queue) and deadline. */
  | { kind: 'move'; tier: number; role: string; reviewerId: string | null; slaDeadline: Date }
  | { kind: 'ask'; clarification: Clarification };

export type ReviewStatus = 'approved' | 'denied' | 'reviewed' | 'awaiting_approvals' | 'clarifying' | 'rolled_back' | 'escalated';

export interface Decided {
  kind: 'decided';
  status: ReviewStatus;
  /** The review after the command (its approvers, its payload). */
  review: Review;
  changes: ReviewChange[];
  events: AnyEvent[];
}

export interface Refused {
  kind: 'refused';
  refusal: Refusal;
}

const refused = (refusal: Refusal): Refused => ({ kind: 'refused', refusal });
const decided = (status: ReviewStatus, review: Review, changes: ReviewChange[], events: AnyEvent[] = []): Decided => ({
  kind: 'decided',
  status,
  review,
  changes,
  events,
});
const meta = (review: Review, now: Date) => ({ source: ESCALATION_SOURCE, workspaceid: review.workspace, time: now });

/** The one `approval.resolved` of a decision that went to a person (or timed out there). */
export function approvalResolved(review: Review, r: Resolution & { status: ResolutionStatus }, now: Date): AnyEvent {
  return newEvent(
    APPROVAL_RESOLVED,
    {
      decision_id: review.decisionId,
      approval_id: review.approvalId,
      status: r.status,
      resolved_by: r.resolvedBy,
      parameters: review.parameters,
      edited: review.edited,
      reasons: [...review.request.reasons, ...r.reasons],
      notes: r.notes,
      chosen_option: r.chosenOption,
      manifest_version: review.manifestVersion,
      confidence: review.confidence,
      action: review.action,
      payload_hash: review.payloadHash,
    },
    meta(review, now),
  );
}

/** Decides one reviewer command on one approval. Refusals come in the order the API has always given them. */
export function decideReview(review: Review, command: ReviewCommand, now: Date): Decided | Refused {
  switch (command.act) {
    case 'approve':
    case 'deny':
    case 'edit':
      return decideVerdict(review, command, now);
    case 'clarify':
      return decideClarify(review, command, now);
    case 'rollback':
      return decideRollback(review, command, now);
    default:
      return unhandled(command);
  }
}

type VerdictCommand = Extract<ReviewCommand, { act: 'approve' | 'deny' | 'edit' }>;

function decideVerdict(review: Review, command: VerdictCommand, now: Date): Decided | Refused {
  const { by } = command;
  const refusal = refuse(by, review, command.act, command.shownPayloadHash) ?? (command.act === 'deny' ? null : refuseOption(review, command.chosenOption));
  if (refusal) return refused(refusal);

  if (review.route === 'post_review') {
    // The action already ran and its outcome was published; a review confirms it or rolls it back.
    if (command.act !== 'approve') return refused(refusals.useRollback());
    // No approval.resolved (the router resolved it long ago); the agent, the audit and the calibrator learn it was looked at and stands.
    const notes = command.notes ?? null;
    return decided(
      'reviewed',
      { ...review, status: 'reviewed', approvedBy: [by.id] },
      [{ kind: 'finish', status: 'reviewed', resolution: { reviewed_by: by.id, notes } }],
      [newEvent(APPROVAL_REVIEWED, { decision_id: review.decisionId, approval_id: review.approvalId, reviewed_by: by.id, notes }, meta(review, now))],
    );
  }

  if (command.act === 'deny') {
    const resolution: Resolution & { status: 'denied' } = {
      status: 'denied',
      resolvedBy: { kind: 'reviewer', id: by.id },
      reasons: [{ rule: 'reviewer_denied', detail: `denied by ${by.id}: ${command.reason}` }],
      notes: command.notes ?? null,
      chosenOption: null,
    };
    return decided('denied', { ...review, status: 'denied' }, [{ kind: 'finish', status: 'denied', resolution }], [approvalResolved(review, resolution, now)]);
  }

  // Parameters that fail the action's schema never run as they are: a reviewer edits them or denies.
  const invalid = command.act === 'approve' && !review.edited ? schemaErrorsAsProposed(review) : null;
  if (invalid) return refused(refusals.parametersInvalid(invalid));

  const changes: ReviewChange[] = [];
  const extraReasons: Reason[] = [];
  let voted = review;
  if (command.act === 'edit') {
    // Edit-then-approve: the edited parameters are judged as a new proposal. An edit that
    // needs a higher tier than the editor holds goes to that tier instead of being approved.
    const up = tierAnEditNeeds(by, review, command.reroute);
    if (up !== null) return escalateEdit(review, command, up, now);
    const editRefusal = refuseEdit(by, review, command.reroute);
    if (editRefusal) return refused(editRefusal);
    const hash = payloadHash(review.action, command.parameters);
    changes.push({ kind: 'edit', parameters: command.parameters, payloadHash: hash });
    // Votes were for the old payload; an edit asks everyone again.
    voted = { ...review, parameters: command.parameters, payloadHash: hash, edited: true, approvedBy: hash === review.payloadHash ? review.approvedBy : [] };
    extraReasons.push({ rule: 'reviewer_edited', detail: `parameters edited by ${by.id}; the policy re-ran on them` });
  }

  changes.push({ kind: 'vote', reviewerId: by.id, onBehalfOf: voted.onBehalfOf, payloadHash: voted.payloadHash });
  const approvers = [...voted.approvedBy, by.id];
  if (!completesApproval(voted, by.id)) return decided('awaiting_approvals', { ...voted, approvedBy: approvers }, changes);

  const resolution: Resolution & { status: 'approved' } = {
    status: 'approved',
    resolvedBy: { kind: 'reviewer', id: by.id },
    reasons: [...extraReasons, ...approvers.map((id) => ({ rule: 'reviewer_approved', detail: `approved by ${id}` }))],
    notes: command.notes ?? null,
    chosenOption: command.chosenOption ?? null,
  };
  changes.push({ kind: 'finish', status: 'approved', resolution });
  return decided('approved', { ...voted, status: 'approved', approvedBy: approvers }, changes, [approvalResolved(voted, resolution, now)]);
}

/** What fails the schema in the parameters as proposed, as the router found it (its `repair_attempts`); null when nothing does. */
function schemaErrorsAsProposed(review: Review): string | null {
  const proposed = review.request.repair_attempts?.find((a) => a.decision_id === review.decisionId);
  if (!proposed || proposed.errors.length === 0) return null;
  return proposed.errors.map((e) => `${e.field} ${e.message}`).join('; ');
}

/**
 * The tier of the approval's path an edit must go to, when the edited parameters need a
 * role the editor lacks that is a later tier of this approval; null otherwise (the
 * editor's authority suffices, or `refuseEdit` says why not).
 */
function tierAnEditNeeds(by: Actor, review: Review, reroute: Reroute): number | null {
  if (reroute.verdict === 'block' || reroute.reviewerRole === null) return null;
  if (refuseEdit(by, review, reroute) === null) return null;
  const tier = review.escalationPath.indexOf(reroute.reviewerRole, review.tier + 1);
  return tier === -1 ? null : tier;
}

/** The edit stands, nobody's vote counts yet, and the approval waits at the tier the edited parameters need. */
function escalateEdit(review: Review, command: Extract<ReviewCommand, { act: 'edit' }>, tier: number, now: Date): Decided {
  const hash = payloadHash(review.action, command.parameters);
  const role = review.escalationPath[tier];
  const fromRole = review.escalationPath[review.tier];
  const moved: Review = { ...review, parameters: command.parameters, payloadHash: hash, edited: true, approvedBy: [], tier, triedAtTier: [], assignee: null };
  const chosen = leastLoaded(command.candidates ?? [], role, review.workspace, review.onBehalfOf);
  const expiresAt = review.clocks.expiresAt;
  const slaDeadline = approvalTierDeadline({ ...review, expiresAt }, tier, now);
  const reason = `edited by ${command.by.id}; the edited parameters need a ${role} (${command.reroute.decidedBy})`;
  const event = newEvent(
    APPROVAL_ESCALATED,
    {
      decision_id: review.decisionId,
      approval_id: review.approvalId,
      tier,
      reviewer_role: role,
      reviewer_id: chosen?.id ?? null,
      sla_deadline: slaDeadline.toISOString(),
      from_role: fromRole,
      reason,
    },
    meta(review, now),
  );
  return decided(
    'escalated',
    { ...moved, assignee: chosen?.id ?? null, clocks: { slaDeadline, expiresAt } },
    [
      { kind: 'edit', parameters: command.parameters, payloadHash: hash },
      { kind: 'move', tier, role, reviewerId: chosen?.id ?? null, slaDeadline },
    ],
    [event],
  );
}

/** A chosen option must be one the agent offered. */
function refuseOption(review: Review, option: string | null): Refusal | null {
  if (!option) return null;
  const keys = (review.request.decision.context?.options ?? []).map((o) => o.key);
  return keys.includes(option) ? null : refusals.unknownOption(option, keys);
}

function decideClarify(review: Review, command: Extract<ReviewCommand, { act: 'clarify' }>, now: Date): Decided | Refused {
  const refusal = refuseClarification(command.by, review);
  if (refusal) return refused(refusal);
  const paused = pauseClocks(review.clocks, now);
  const clarification: Clarification = { clarificationId: command.clarificationId, question: command.question, requestedBy: command.by.id, requestedAt: now };
  const event = newEvent(
    APPROVAL_CLARIFICATION_REQUESTED,
    {
      decision_id: review.decisionId,
      approval_id: review.approvalId,
      clarification_id: clarification.clarificationId,
      requested_by: clarification.requestedBy,
      question: clarification.question,
    },
    meta(review, now),
  );
  return decided(
    'clarifying',
    { ...review, status: 'clarifying', clocks: { slaDeadline: null, expiresAt: null } },
    [
      { kind: 'pause', paused, until: clarificationDeadline(now, review.clarificationTimeoutSeconds) },
      { kind: 'ask', clarification },
    ],
    [event],
  );
}

function decideRollback(review: Review, command: Extract<ReviewCommand, { act: 'rollback' }>, now: Date): Decided | Refused {
  const { by, reason } = command;
  const refusal = refuseRollback(by, { state: review, createdAt: review.requestedAt, rollbackWindowSeconds: review.rollbackWindowSeconds }, now);
  if (refusal) return refused(refusal);
  // Stored in the shape of the other resolutions; no approval.resolved: the router resolved it (post_review ran it) long ago.
  const resolution: Resolution = {
    status: 'rolled_back',
    resolvedBy: { kind: 'reviewer', id: by.id },
    reasons: [{ rule: 'rolled_back', detail: `rolled back by ${by.id}: ${reason}` }],
    notes: reason,
    chosenOption: null,
  };
  // What ran and whose it was: the agent that proposed it undoes exactly that.
  const event = newEvent(
    APPROVAL_ROLLED_BACK,
    {
      decision_id: review.decisionId,
      approval_id: review.approvalId,
      rolled_back_by: by.id,
      reason,
      agent_id: review.request.decision.agent.id,
      action: review.action,
      parameters: review.parameters,
      payload_hash: review.payloadHash,
    },
    meta(review, now),
  );
  return decided('rolled_back', { ...review, status: 'rolled_back' }, [{ kind: 'finish', status: 'rolled_back', resolution }], [event]);
}

function unhandled(command: never): never {
  throw new Error(`review command ${(command as ReviewCommand).act} is not handled`);
}
