// A refund agent of acme-support on the SDK: proposes a realistic stream of refunds
// (mostly small amounts and confident; a tail of large, uncertain or enterprise ones; the
// occasional action the manifest does not know), runs only what was approved through the
// guard, and labels the outcome. One malformed message is published raw, without the SDK,
// to show the router's dead-letter path.
import { randomUUID } from 'node:crypto';
import { HitlAgent, NotApprovedError, Proposal, Resolution } from '@hitl/agent-sdk';
import { Topics, dlqTopic } from '@hitl/contracts';
import { Kafka, KafkaConfig, logLevel } from 'kafkajs';
import { repairRefund } from './repair';
import { ResolvedRecord } from './tally';

export const WORKSPACE = 'acme-support';
export const AGENT_ID = 'refund-bot';

export type Random = () => number;

/** A small seeded PRNG (mulberry32) so a run can be replayed with DEMO_SEED. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: Random): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

const REASONS = [
  'arrived damaged',
  'never delivered',
  'wrong size',
  'charged twice',
  'late delivery',
  'item not as described',
  'subscription renewed by mistake',
];
const UNCERTAINTY = ['photo is blurry', 'order older than 90 days', 'second refund this month', 'carrier says delivered', 'address changed after order'];

/** One proposal of the stream (without a decision_id: the agent gives each a new one). */
export function nextProposal(random: Random, index: number): Proposal {
  const r = random();
  const order = `ORD-${(100000 + index).toString()}`;
  const customer = `c-${Math.floor(random() * 9000) + 1000}`;
  if (index % 100 === 7 || r < 0.005) {
    // The occasional action nobody classified (at least one per hundred): the policy blocks it.
    return {
      action: 'wire_money',
      parameters: { customer_id: customer, amount_usd: round2(200 + random() * 3000), iban: 'DE89370400440532013000' },
      confidence: 0.7,
      confidence_basis: 'the customer asked for a bank transfer instead of a card refund',
      uncertainty_factors: ['no card on file'],
      recommended_review: true,
      summary: `Wire money to customer ${customer} instead of a card refund.`,
      on_behalf_of: `customer:${customer}`,
    };
  }
  if (r < 0.04) {
    const amount = round2(5 + Math.exp(3 + 1.1 * normal(random)));
    return {
      action: 'issue_goodwill_credit',
      parameters: { customer_id: customer, amount_usd: Math.min(amount, 400) },
      confidence: round2(0.9 + random() * 0.09),
      confidence_basis: 'the customer waited more than the promised delivery window',
      uncertainty_factors: [],
      recommended_review: false,
      summary: `Goodwill credit of $${Math.min(amount, 400)} for customer ${customer} (late delivery).`,
      on_behalf_of: `customer:${customer}`,
    };
  }
  // Log-normal-ish amounts (median about $15), plus a few big-ticket orders ($300-$2,000,
  // log-uniform) that hold a good part of the dollars.
  const bigTicket = random() < 0.03;
  const amount = round2(bigTicket ? 300 * Math.exp(random() * Math.log(2000 / 300)) : Math.min(2000, Math.max(5, Math.exp(2.7 + 1.2 * normal(random)))));
  const c = random();
  const confidence = c < 0.92 ? round2(0.97 + random() * 0.029) : c < 0.99 ? round2(0.8 + random() * 0.17) : round2(0.35 + random() * 0.25);
  const tierDraw = random();
  const tier = tierDraw < 0.012 ? 'enterprise' : tierDraw < 0.018 ? 'strategic' : tierDraw < 0.3 ? 'plus' : 'standard';
  const factors = confidence < 0.9 ? [pick(random, UNCERTAINTY)] : [];
  if (confidence < 0.6) factors.push(pick(random, UNCERTAINTY));
  const reason = pick(random, REASONS);
  return {
    action: 'process_refund',
    parameters: { order_id: order, amount_usd: amount, currency: 'USD', customer_tier: tier, card_number: '4111111111111111' },
    confidence,
    confidence_basis: confidence >= 0.97 ? `order history and carrier data agree: ${reason}` : `partly supported: ${reason}`,
    uncertainty_factors: [...new Set(factors)],
    recommended_review: false,
    summary: `Refund $${amount} on ${order} to the card on file (${reason}).`,
    on_behalf_of: `customer:${customer}`,
    context: { situation: `Customer ${customer} (${tier}) reports: ${reason}.` },
  };
}

/** The payment system of the example: refunds nothing, answers like a PSP. */
export async function fakeRefund(parameters: Record<string, unknown>): Promise<{ refund_id: string; amount_usd: unknown }> {
  await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
  return { refund_id: `re_${randomUUID().slice(0, 8)}`, amount_usd: parameters.amount_usd };
}

/** Proposes one decision, runs it if approved, labels it; answers the record for the tally. */
export async function handle(
  agent: HitlAgent,
  proposal: Proposal,
  random: Random,
  hooks: { onProposed?: (id: string, proposal: Proposal) => void } = {},
): Promise<ResolvedRecord> {
  const decision_id = randomUUID();
  const proposedAt = Date.now();
  // With a repair hook: parameters the router sends back are corrected and proposed again.
  const pending = agent.propose({ ...proposal, decision_id }, { timeoutMs: 15 * 60_000, repair: repairRefund });
  hooks.onProposed?.(decision_id, proposal);
  const resolution: Resolution = await pending;
  const resolvedAt = Date.now();
  // The decision that was resolved: a repair is a decision of its own.
  const decided = resolution.decision_id;
  if (resolution.status === 'approved') {
    try {
      await agent.guard(resolution, fakeRefund); // runs with the parameters as approved (maybe edited)
    } catch (error) {
      if (!(error instanceof NotApprovedError)) throw error;
    }
    // In hindsight most were right; an edited one means the agent's amount was wrong.
    const correct = !resolution.edited && random() < 0.96;
    await agent.labelOutcome(decided, correct, { source: correct ? 'no_complaint_30d' : 'customer_complaint', labeledBy: 'crm' });
  } else if (resolution.status === 'denied') {
    await agent.labelOutcome(decided, false, { source: 'reviewer_denied', labeledBy: resolution.resolved_by.id });
  }
  const amount = proposal.parameters.amount_usd;
  return {
    decision_id: decided,
    action: proposal.action,
    amount_usd: typeof amount === 'number' ? amount : null,
    proposed_at_ms: proposedAt,
    resolved_at_ms: resolvedAt,
    resolution: { status: resolution.status, resolved_by: resolution.resolved_by, edited: resolution.edited, reasons: resolution.reasons },
  };
}

/**
 * Publishes one malformed decision raw (not through the SDK, which would refuse it) and
 * answers how many messages the router's DLQ held before and after, when it could tell.
 */
export async function publishMalformed(
  brokers: string[],
  topicPrefix = '',
  security: Pick<KafkaConfig, 'ssl' | 'sasl'> = {},
): Promise<{ topic: string; dlq: string; before: number; after: () => Promise<number> }> {
  const kafka = new Kafka({ clientId: 'refund-bot-raw', brokers, ...security, logLevel: logLevel.NOTHING });
  const topic = `${topicPrefix}${Topics.DecisionProposed}`;
  const dlq = dlqTopic(topic);
  const admin = kafka.admin();
  await admin.connect();
  const count = async () => {
    try {
      const offsets = await admin.fetchTopicOffsets(dlq);
      return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
    } catch {
      return -1;
    }
  };
  const before = await count();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const id = randomUUID();
  await producer.send({
    topic,
    messages: [
      {
        key: id,
        // A CloudEvent without its data's required fields, and a confidence above 1.
        value: JSON.stringify({
          specversion: '1.0',
          id: randomUUID(),
          source: `agent/${AGENT_ID}`,
          type: 'hitl.decision.proposed.v1',
          subject: id,
          time: new Date().toISOString(),
          datacontenttype: 'application/json',
          workspaceid: WORKSPACE,
          data: { decision_id: id, action: 'process_refund', confidence: 7 },
        }),
      },
    ],
  });
  await producer.disconnect();
  return {
    topic,
    dlq,
    before,
    after: async () => {
      const n = await count();
      await admin.disconnect();
      return n;
    },
  };
}
