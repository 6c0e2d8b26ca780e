// What deciding answers: POST /approvals/:id/{approve,deny,edit}, POST /approvals/batch,
// POST /approvals/:id/clarify and POST /approvals/:id/rollback.
import { z } from 'zod';
import { Timestamp } from './values';

export const DecisionResult = z.object({
  approval_id: z.string(),
  decision_id: z.string(),
  /** `escalated`: an edit needed a higher tier than the editor's; it waits there now. */
  status: z.enum(['approved', 'denied', 'reviewed', 'awaiting_approvals', 'escalated']),
  approvals: z.array(z.string()),
  required_approvals: z.number().int(),
  payload_hash: z.string(),
});
export type DecisionResult = z.infer<typeof DecisionResult>;

/** One item of a batch: decided, or refused with the code and message a single decision would have had. */
export const BatchResult = z.discriminatedUnion('ok', [
  z.object({ approval_id: z.string(), ok: z.literal(true), result: DecisionResult }),
  z.object({ approval_id: z.string(), ok: z.literal(false), error: z.object({ statusCode: z.number().int(), code: z.string(), message: z.string() }) }),
]);
export type BatchResult = z.infer<typeof BatchResult>;

export const BatchAnswer = z.object({ results: z.array(BatchResult) });
export type BatchAnswer = z.infer<typeof BatchAnswer>;

export const ClarificationAsked = z.object({
  clarification_id: z.string(),
  approval_id: z.string(),
  status: z.literal('clarifying'),
  question: z.string(),
  requested_by: z.string(),
  requested_at: Timestamp,
  /** What the SLA and expiry clocks had left when they stopped. */
  paused: z.object({ sla_ms: z.number().nullable(), expiry_ms: z.number().nullable() }),
  /** When the clocks run again if the agent has not answered by then (the manifest's clarification_timeout_seconds). */
  resumes_by: Timestamp,
});
export type ClarificationAsked = z.infer<typeof ClarificationAsked>;

/** POST /approvals/:id/rollback: a post-review's action undone (the agent hears it on approval.updated). */
export const RolledBack = z.object({
  approval_id: z.string(),
  decision_id: z.string(),
  status: z.literal('rolled_back'),
  rolled_back_by: z.string(),
  reason: z.string(),
  rolled_back_at: Timestamp,
});
export type RolledBack = z.infer<typeof RolledBack>;
