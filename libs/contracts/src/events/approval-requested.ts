import { z } from 'zod';
import { NonEmpty, OnTimeout, Parameters, PayloadHash, Reasons, Timestamp, Uuid } from '../primitives';
import { ParameterError } from './approval-resolved';
import { DecisionProposedData } from './decision-proposed';

export const APPROVAL_REQUESTED = 'hitl.approval.requested.v1';

export const ApprovalRoute = z.enum(['human_review', 'escalate', 'post_review']);
export type ApprovalRoute = z.infer<typeof ApprovalRoute>;

/** One proposal of a repair chain as a reviewer sees it: what it proposed and how it failed the schema. */
export const RepairAttempt = z.looseObject({
  decision_id: Uuid,
  /** 1 for the agent's first proposal, 2 for its first repair, ... */
  attempt: z.number().int().min(1),
  /** Its parameters, the manifest's `redact` paths masked. */
  parameters: Parameters,
  /** Empty when its parameters matched the schema. */
  errors: z.array(ParameterError),
});
export type RepairAttempt = z.infer<typeof RepairAttempt>;

export const ApprovalRequestedData = z.looseObject({
  approval_id: Uuid,
  decision_id: Uuid,
  route: ApprovalRoute,
  reasons: Reasons,
  manifest_version: NonEmpty,
  reviewer_role: NonEmpty,
  escalation_path: z.array(NonEmpty).min(1),
  sla_deadline: Timestamp,
  expires_at: Timestamp.nullable(),
  on_timeout: OnTimeout,
  required_approvals: z.number().int().min(1),
  rollback_window_seconds: z.number().int().min(0).nullable(),
  decision: DecisionProposedData,
  payload_hash: PayloadHash,
  /**
   * When `decision` repairs earlier ones, or its parameters fail the schema: every attempt
   * of the chain, oldest first, the last one `decision` itself, so a reviewer sees them side
   * by side. Absent otherwise.
   */
  repair_attempts: z.array(RepairAttempt).min(1).optional(),
});
export type ApprovalRequestedData = z.infer<typeof ApprovalRequestedData>;
