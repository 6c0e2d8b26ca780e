import { z } from 'zod';
import { NonEmpty, Parameters, PayloadHash, Reasons, Uuid } from '../primitives';

export const APPROVAL_RESOLVED = 'hitl.approval.resolved.v1';

export const ResolutionStatus = z.enum(['approved', 'denied', 'blocked', 'expired']);
export type ResolutionStatus = z.infer<typeof ResolutionStatus>;

export const ResolvedBy = z.looseObject({ kind: z.enum(['policy', 'reviewer', 'timeout']), id: NonEmpty });
export type ResolvedBy = z.infer<typeof ResolvedBy>;

/**
 * One way a decision's parameters fail its action's `parameters_schema`, machine-readable:
 * `field` is the dotted path from the decision (`parameters.amount_usd`; `parameters` for the
 * object itself), `rule` the JSON Schema keyword that failed (`type`, `required`, `minimum`,
 * ...), `message` the validator's words (never the value itself).
 */
export const ParameterError = z.looseObject({ field: NonEmpty, rule: NonEmpty, message: z.string() });
export type ParameterError = z.infer<typeof ParameterError>;

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
  /**
   * `blocked` by the router because the parameters fail the action's schema and the agent
   * said it can repair them (`repairable`): what to correct. A repair is proposed as a new
   * decision whose `repair_of` names this one. Absent otherwise.
   */
  parameter_errors: z.array(ParameterError).min(1).optional(),
});
export type ApprovalResolvedData = z.infer<typeof ApprovalResolvedData>;
