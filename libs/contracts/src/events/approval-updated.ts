import { z } from 'zod';
import { NonEmpty, Parameters, PayloadHash, Timestamp, Uuid } from '../primitives';

// The wire contract names these types but not their fields; these are the fields a
// reviewer's agent and an auditor need (documented in libs/contracts/README.md).
export const APPROVAL_ASSIGNED = 'hitl.approval.assigned.v1';
export const APPROVAL_REASSIGNED = 'hitl.approval.reassigned.v1';
export const APPROVAL_ESCALATED = 'hitl.approval.escalated.v1';
export const APPROVAL_CLARIFICATION_REQUESTED = 'hitl.approval.clarification_requested.v1';
export const APPROVAL_CLARIFICATION_PROVIDED = 'hitl.approval.clarification_provided.v1';
export const APPROVAL_ROLLED_BACK = 'hitl.approval.rolled_back.v1';
export const APPROVAL_REVIEWED = 'hitl.approval.reviewed.v1';
export const APPROVAL_UNREVIEWED = 'hitl.approval.unreviewed.v1';

const ApprovalRef = { decision_id: Uuid, approval_id: Uuid };

/** Where the approval now waits: the tier's role, the reviewer (null while it sits in the role's queue), the SLA. */
const Placement = {
  tier: z.number().int().min(0),
  reviewer_role: NonEmpty,
  reviewer_id: NonEmpty.nullable(),
  sla_deadline: Timestamp,
};

export const ApprovalAssignedData = z.looseObject({ ...ApprovalRef, ...Placement });
export type ApprovalAssignedData = z.infer<typeof ApprovalAssignedData>;

export const ApprovalReassignedData = z.looseObject({
  ...ApprovalRef,
  ...Placement,
  previous_reviewer_id: NonEmpty.nullable(),
  reason: z.string(),
});
export type ApprovalReassignedData = z.infer<typeof ApprovalReassignedData>;

export const ApprovalEscalatedData = z.looseObject({
  ...ApprovalRef,
  ...Placement,
  from_role: NonEmpty,
  reason: z.string(),
});
export type ApprovalEscalatedData = z.infer<typeof ApprovalEscalatedData>;

export const ClarificationRequestedData = z.looseObject({
  ...ApprovalRef,
  clarification_id: Uuid,
  requested_by: NonEmpty,
  question: NonEmpty,
});
export type ClarificationRequestedData = z.infer<typeof ClarificationRequestedData>;

export const ClarificationProvidedData = z.looseObject({
  ...ApprovalRef,
  clarification_id: Uuid,
  provided_by: NonEmpty,
  answer: NonEmpty,
});
export type ClarificationProvidedData = z.infer<typeof ClarificationProvidedData>;

export const ApprovalRolledBackData = z.looseObject({
  ...ApprovalRef,
  rolled_back_by: NonEmpty,
  reason: NonEmpty,
  /** Whose action it was and what ran, so the agent that proposed it can undo exactly that (absent from older producers). */
  agent_id: NonEmpty.optional(),
  action: NonEmpty.optional(),
  parameters: Parameters.optional(),
  payload_hash: PayloadHash.optional(),
});
export type ApprovalRolledBackData = z.infer<typeof ApprovalRolledBackData>;

/** A post-review (the action already ran) a reviewer looked at and confirmed: it stands. */
export const ApprovalReviewedData = z.looseObject({
  ...ApprovalRef,
  reviewed_by: NonEmpty,
  notes: z.string().nullable(),
});
export type ApprovalReviewedData = z.infer<typeof ApprovalReviewedData>;

/**
 * Why a post-review ended with nobody looking at it: its review window closed, or it was
 * never queued because the reviewers had no capacity left after the work agents wait on
 * (sampling backed off).
 */
export const UnreviewedReason = z.enum(['review_window_closed', 'no_review_capacity']);
export type UnreviewedReason = z.infer<typeof UnreviewedReason>;

/** A post-review that ended unreviewed: not a verdict on the action, never counted as correct. */
export const ApprovalUnreviewedData = z.looseObject({
  ...ApprovalRef,
  reason: UnreviewedReason,
  /** The reason in plain words. */
  detail: NonEmpty,
  /** The queue it was in (or would have been): the role of its first tier. */
  reviewer_role: NonEmpty,
});
export type ApprovalUnreviewedData = z.infer<typeof ApprovalUnreviewedData>;

export const APPROVAL_OPENED = 'hitl.approval.opened.v1';

/**
 * A reviewer who may decide the approval opened it for the first time (GET /approvals/:id):
 * when reading started, which review quality measures the time to decide from. One per
 * approval and reviewer; an auditor's read is never one.
 */
export const ApprovalOpenedData = z.looseObject({
  ...ApprovalRef,
  opened_by: NonEmpty,
});
export type ApprovalOpenedData = z.infer<typeof ApprovalOpenedData>;

export const APPROVAL_CANARY_SCORED = 'hitl.approval.canary_scored.v1';

/** What a canary (a known-answer item) expects, and what a reviewer answered: approve, edit (approves with changes) or deny. */
export const CanaryExpected = z.enum(['approve', 'deny']);
export type CanaryExpected = z.infer<typeof CanaryExpected>;
export const CanaryAnswer = z.enum(['approve', 'edit', 'deny']);
export type CanaryAnswer = z.infer<typeof CanaryAnswer>;

/**
 * A canary was answered or timed out. A canary is a synthetic decision (the manifest's
 * `canaries`) mixed into a reviewer's queue to measure attention: never executed, never on
 * approval.resolved, never calibrated. This event is how the audit marks it and how review
 * quality scores the reviewer. `answered` null: nobody answered before its deadline (missed).
 */
export const ApprovalCanaryScoredData = z.looseObject({
  ...ApprovalRef,
  /** Who answered it, or whom it was assigned to when it was missed (null: it waited in the role's queue). */
  reviewer_id: NonEmpty.nullable(),
  reviewer_role: NonEmpty,
  action: NonEmpty,
  expected: CanaryExpected,
  answered: CanaryAnswer.nullable(),
  /** Whether the answer was the expected one (an edit approves); null when missed. */
  correct: z.boolean().nullable(),
  /** Why the expected answer is right, from the manifest. */
  why: NonEmpty,
});
export type ApprovalCanaryScoredData = z.infer<typeof ApprovalCanaryScoredData>;
