import { z } from 'zod';
import { NonEmpty, Parameters, PayloadHash, Reasons, Uuid } from '../primitives';

export const APPROVAL_RESOLVED = 'hitl.approval.resolved.v1';

export const ResolutionStatus = z.enum(['approved', 'denied', 'blocked', 'expired']);
export type ResolutionStatus = z.infer<typeof ResolutionStatus>;

export const ResolvedBy = z.looseObject({ kind: z.enum(['policy', 'reviewer', 'timeout']), id: NonEmpty });
export type ResolvedBy = z.infer<typeof ResolvedBy>;

export const ApprovalResolvedData = z.looseObject({
  decision_id: Uuid,
  approval_id: Uuid.nullable(),
  status: ResolutionStatus,
  resolved_by: ResolvedBy,
  parameters: Parameters,
  edited: z.boolean(),
  reasons: Reasons,
  notes: z.string().nullable(),
  chosen_option: z.string().nullable(),
  manifest_version: z.string(),
  confidence: z.number().min(0).max(1),
  action: z.string(),
  payload_hash: PayloadHash,
});
export type ApprovalResolvedData = z.infer<typeof ApprovalResolvedData>;
