import { z } from 'zod';
import { NonEmpty, OnTimeout, PayloadHash, Reasons, Timestamp, Uuid } from '../primitives';
import { DecisionProposedData } from './decision-proposed';

export const APPROVAL_REQUESTED = 'hitl.approval.requested.v1';

export const ApprovalRoute = z.enum(['human_review', 'escalate', 'post_review']);
export type ApprovalRoute = z.infer<typeof ApprovalRoute>;

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
});
export type ApprovalRequestedData = z.infer<typeof ApprovalRequestedData>;
