import { z } from 'zod';
import { NonEmpty, Parameters, PayloadHash, Uuid } from '../primitives';

export const ACTION_EXECUTED = 'hitl.action.executed.v1';

export const ActionExecutedData = z.looseObject({
  decision_id: Uuid,
  action: NonEmpty,
  parameters: Parameters,
  payload_hash: PayloadHash,
  succeeded: z.boolean(),
  output: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  duration_ms: z.number().int().min(0),
  /**
   * Present when this run undid the decision's action (its compensation) after a reviewer
   * rolled it back: `action`, `parameters` and `payload_hash` name what was undone.
   */
  compensation: z.strictObject({ approval_id: Uuid, rolled_back_by: NonEmpty, reason: NonEmpty }).optional(),
});
export type ActionExecutedData = z.infer<typeof ActionExecutedData>;
