// What an agent sends the gateway and what it gets back, checked with zod at the boundary.
import { DecisionProposedData, Uuid } from '@hitl/contracts';
import { z } from 'zod';

/**
 * POST /v1/decisions: a proposal as the contract has it, without `agent` (the token says who)
 * and with `decision_id` optional (the gateway makes one; send your own to retry safely).
 * `workspace`: one of the agent's, needed only when it has several.
 */
export const ProposalBody = DecisionProposedData.omit({ agent: true, decision_id: true }).extend({
  decision_id: Uuid.optional(),
  workspace: z.string().trim().min(1, { error: 'must not be blank' }).max(200).optional(),
  agent: z.never({ error: 'comes from your token, never from the body: leave it out' }).optional(),
  /** The agent's model and prompt version, for the record. */
  model: z.string().max(200).optional(),
  prompt_version: z.string().max(200).optional(),
});
export type ProposalBody = z.infer<typeof ProposalBody>;

/** GET /v1/decisions/{id}?wait=: how long to wait for the outcome, in seconds (0: answer at once). */
export const WaitQuery = z.strictObject({
  wait: z.coerce.number({ error: 'must be a number of seconds' }).int({ error: 'must be whole seconds' }).min(0, { error: 'must be 0 or more' }).default(0),
});
export type WaitQuery = z.infer<typeof WaitQuery>;

export type DecisionStatus = 'pending' | 'approved' | 'denied' | 'blocked' | 'expired';

/** A decision as its agent reads it: pending, or its outcome with the signed event it came in (verify it before acting). */
export interface DecisionView {
  decision_id: string;
  workspace: string;
  action: string;
  payload_hash: string;
  status: DecisionStatus;
  proposed_at: string;
  resolved_at: string | null;
  /** The approval.resolved data; null while pending. */
  resolution: Record<string, unknown> | null;
  /** The approval.resolved event as signed by the router or the escalation service; null while pending. */
  resolution_event: Record<string, unknown> | null;
  /** Reviewers' questions about it, oldest first: answer each unanswered one (POST .../clarifications/{clarification_id}). */
  clarifications: ClarificationView[];
}

export interface ClarificationView {
  clarification_id: string;
  approval_id: string;
  question: string;
  requested_by: string;
  asked_at: string;
  answer: string | null;
  answered_at: string | null;
}

/** POST /v1/decisions/{id}/clarifications/{clarification_id}: the agent's answer to a reviewer's question. */
export const AnswerBody = z.strictObject({
  answer: z.string().trim().min(1, { error: 'must not be blank' }).max(10_000, { error: 'must be at most 10000 characters' }),
});
export type AnswerBody = z.infer<typeof AnswerBody>;

/** POST /v1/decisions/{id}/execution: what the agent ran under an approval, and how it went (published as action.executed). */
export const ExecutionBody = z.strictObject({
  succeeded: z.boolean({ error: 'must be true or false' }),
  output: z.record(z.string(), z.unknown()).nullable().default(null),
  error: z.string().max(10_000).nullable().default(null),
  duration_ms: z.number({ error: 'must be a number of milliseconds' }).int().min(0),
});
export type ExecutionBody = z.infer<typeof ExecutionBody>;

/** POST /v1/decisions/{id}/labels: whether the outcome was right, by whom (published as outcome.labeled). */
export const LabelBody = z.strictObject({
  correct: z.boolean({ error: 'must be true or false' }),
  source: z.string().trim().min(1, { error: 'must say where the label comes from (e.g. customer_feedback)' }).max(200),
  labeled_by: z.string().trim().min(1).max(200).nullable().default(null),
  notes: z.string().max(10_000).nullable().default(null),
});
export type LabelBody = z.infer<typeof LabelBody>;
