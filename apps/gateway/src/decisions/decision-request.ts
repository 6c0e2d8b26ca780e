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
}
