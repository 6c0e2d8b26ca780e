// The load: refund proposals the refunds manifest auto-approves (small amount, high
// confidence), or sends to a person, as the Kafka messages an agent would publish: signed
// with the bench agent's throwaway key (bench-refund-bot of @hitl/testing's registry,
// which the services of the run trust), so the figures include the router's verify.
import { randomUUID } from 'node:crypto';
import { DECISION_PROPOSED, newEvent } from '@hitl/contracts';
import { signed } from '@hitl/testing';
import { eventProducer } from '@hitl/messaging';
import { Kafka, Message, Producer } from 'kafkajs';
import { WORKSPACE } from './services';

export type Route = 'auto_approve' | 'human_review';

/** The refund an agent proposes (the contract's decision.proposed data without `agent`): auto-approvable, or for a person. */
export function refundProposal(route: Route = 'auto_approve', decisionId: string = randomUUID()) {
  const amount = route === 'auto_approve' ? 20 + Math.round(Math.random() * 2500) / 100 : 200;
  return {
    decision_id: decisionId,
    on_behalf_of: `customer-${decisionId.slice(0, 8)}`,
    action: 'process_refund',
    parameters: { order_id: `ord-${decisionId.slice(0, 12)}`, amount_usd: amount, currency: 'USD', customer_tier: 'standard' },
    confidence: route === 'auto_approve' ? 0.99 : 0.8,
    confidence_basis: 'order delivered late; refund policy section 4.2 applies',
    uncertainty_factors: [],
    recommended_review: false,
    summary: `Refund $${amount.toFixed(2)} to the customer for a late delivery`,
    context: { situation: 'late delivery', attempted: ['checked carrier tracking'] },
  };
}

/** A decision.proposed message keyed by its decision, as an agent sends it. */
export function proposal(route: Route = 'auto_approve', decisionId = randomUUID()): Message {
  const event = newEvent(
    DECISION_PROPOSED,
    { ...refundProposal(route, decisionId), agent: { id: 'bench-refund-bot', model: 'bench', prompt_version: 'v1' } },
    { source: 'agent/bench-refund-bot', workspaceid: WORKSPACE },
  );
  return { key: decisionId, value: JSON.stringify(signed(event)) };
}

/** A producer with the outbox relay's settings: idempotent, one request in flight, the Java partitioner. */
export function relayLikeProducer(kafka: Kafka): Producer {
  return eventProducer(kafka);
}

/** Sends `messages` to `topic` in batches, each acknowledged by every replica before the next. */
export async function produceAll(kafka: Kafka, topic: string, messages: Message[], batch = 500): Promise<void> {
  const producer = relayLikeProducer(kafka);
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += batch) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + batch) });
  } finally {
    await producer.disconnect();
  }
}
