// What an agent's callback receives: each outcome as a Standard Webhooks message. Pure.
import { randomBytes } from 'node:crypto';
import { DecisionView } from '../decisions/decision-request';

/** The message type of an outcome. */
export const OUTCOME_TYPE = 'hitl.decision.resolved';

/** One id per outcome: a repeat of the same delivery (a retry, a crash mid-post) carries the same webhook-id, so a receiver drops it. */
export const webhookIdOf = (decisionId: string) => `msg_${decisionId}`;

/** The body, as Standard Webhooks lays it out: type, timestamp, data (the decision as GET /v1/decisions/{id} answers it). */
export function outcomeBody(view: DecisionView, at: Date): string {
  return JSON.stringify({ type: OUTCOME_TYPE, timestamp: at.toISOString(), data: view });
}

/** A new signing secret in Standard Webhooks' form: `whsec_` and 32 random bytes, base64. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
