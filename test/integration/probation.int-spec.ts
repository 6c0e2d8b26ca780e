// Probation, end to end on the real services: a manifest change adds two actions; their first
// decisions all go to a person even at confidence 0.99, the trace counting towards graduation;
// after the set number approved unchanged, one graduates and runs by its manifest entry again;
// the other's probation is ended early by an admin on the owner's word; each step is on the
// audit record. Proposals are signed by the agent's test key.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { APPROVAL_RESOLVED, DECISION_PROPOSED, dlqTopic, exampleEvent, newEvent, topicOf } from '@hitl/contracts';
import { idempotentProducer, query, readWholeTopic, signed } from '@hitl/testing';
import { Stack, TOKENS } from './support/stack';

const stack = new Stack();
const NEW_ACTIONS = `
  issue_store_credit:
    severity: medium
    reversible: true
    escalation_path: [support_agent]
    probation: { decisions: 3, approved_unchanged_rate: 1 }
    owner: billing-team
  issue_gift_card:
    severity: medium
    reversible: true
    escalation_path: [support_agent]
    probation: { decisions: 3, approved_unchanged_rate: 1 }
    owner: billing-team
`;

function proposal(action: string, decisionId = randomUUID()) {
  return signed(
    newEvent(
      DECISION_PROPOSED,
      {
        decision_id: decisionId,
        agent: { id: 'refund-bot' },
        action,
        parameters: { order_id: `ORD-${decisionId.slice(0, 6)}`, amount_usd: 120 },
        confidence: 0.99,
        confidence_basis: 'matches the order history',
        uncertainty_factors: [],
        recommended_review: false,
        summary: 'Make it right for the customer.',
      },
      { source: 'agent/refund-bot', workspaceid: 'acme-support' },
    ),
  );
}

interface Routed {
  verdict: string;
  reasons: { rule: string; detail: string }[];
  approval_id: string | null;
}

async function propose(action: string): Promise<Routed & { decision_id: string }> {
  const event = proposal(action);
  const producer = idempotentProducer(stack.kafka);
  await producer.connect();
  await producer.send({ topic: `${stack.prefix}${topicOf(DECISION_PROPOSED)}`, acks: -1, messages: [{ key: event.subject, value: JSON.stringify(event) }] });
  await producer.disconnect();
  const routed = await stack.eventually(`decision ${event.data.decision_id} routed`, async () => {
    const [row] = await query<Routed>(
      'SELECT verdict, reasons, approval_id FROM router.decisions WHERE decision_id = $1',
      [event.data.decision_id],
      stack.databaseUrl,
    );
    return row;
  });
  return { ...routed, decision_id: event.data.decision_id };
}

/**
 * What an attacker on Kafka would write to graduate a probation without a person: a reviewer's
 * approval of the decision, unsigned or signed by the router (which may sign only policy
 * resolutions), on the decision's partition.
 */
async function forgeApproval(decisionId: string, approvalId: string): Promise<string[]> {
  const forgery = (id: string) => {
    const event = exampleEvent(APPROVAL_RESOLVED, { id });
    event.subject = event.data.decision_id = decisionId;
    event.data.approval_id = approvalId;
    event.workspaceid = 'acme-support';
    return event;
  };
  const ids = [randomUUID(), randomUUID()];
  const producer = idempotentProducer(stack.kafka);
  await producer.connect();
  await producer.send({
    topic: `${stack.prefix}${topicOf(APPROVAL_RESOLVED)}`,
    acks: -1,
    messages: [forgery(ids[0]), signed(forgery(ids[1]), 'router')].map((e) => ({ key: decisionId, value: JSON.stringify(e) })),
  });
  await producer.disconnect();
  return ids;
}

/** alice (support_agent) approves it as it is, once it is in her inbox. */
async function approve(approvalId: string): Promise<void> {
  const page = await stack.eventually('the approval in the inbox', async () => {
    const answer = await stack.call('escalation', 'GET', `/approvals/${approvalId}`, TOKENS.alice);
    return answer.status === 200 && answer.json;
  });
  const answer = await stack.call('escalation', 'POST', `/approvals/${approvalId}/approve`, TOKENS.alice, { payload_hash: page.payload_hash });
  expect(answer.status).toBeLessThan(300);
}

const probationOf = async (action: string) =>
  (
    await query<{ id: string; state: string; reviewed: number; approved_unchanged: number }>(
      'SELECT id, state, reviewed, approved_unchanged FROM router.probations WHERE action = $1 ORDER BY started_at DESC LIMIT 1',
      [action],
      stack.databaseUrl,
    )
  )[0];

beforeAll(() => stack.start(), 240_000);
afterAll(() => stack.stop(), 60_000);

describe('probation for new actions', () => {
  it('the first manifest the router routes by is where it starts from: nothing is on probation', async () => {
    expect((await propose('process_refund')).verdict).toBe('auto_approve');
    expect(await query('SELECT * FROM router.probations', [], stack.databaseUrl)).toEqual([]);
  });

  it('a manifest change adding actions puts them on probation: every decision to a person even at 0.99, the trace counting', async () => {
    writeFileSync(stack.manifestPath, readFileSync(stack.manifestPath, 'utf8').trimEnd() + '\n' + NEW_ACTIONS);
    await stack.restartAll('router');
    await stack.restartAll('escalation');

    for (let i = 0; i < 3; i++) {
      const routed = await propose('issue_store_credit');
      expect(routed.verdict).toBe('human_review');
      expect(routed.reasons.at(-1)).toEqual({
        rule: 'probation',
        detail: `on probation (${i} of 3): new to the manifest of acme-support; every decision goes to a person until 3 reviewed decisions are approved unchanged at 100% or better (${i} reviewed so far)`,
      });
      if (i === 0) {
        // The attacker's turn first: forged reviewer approvals are refused by the router and count for nothing.
        const forged = await forgeApproval(routed.decision_id, routed.approval_id!);
        const letters = await stack.eventually('the router to dead-letter both forgeries', async () => {
          const found = (await readWholeTopic(stack.kafka, `${stack.prefix}${dlqTopic(topicOf(APPROVAL_RESOLVED))}`)).filter(
            (m) => String(m.headers?.['hitl-dlq-consumer']) === `${stack.prefix}hitl-router` && forged.includes(JSON.parse(m.value!.toString()).id),
          );
          return found.length === 2 && found;
        });
        expect(letters.map((m) => String(m.headers?.['hitl-dlq-error-code']))).toEqual(['unsigned', 'signature_invalid']);
        expect(await probationOf('issue_store_credit')).toMatchObject({ reviewed: 0, approved_unchanged: 0 });
      }
      await approve(routed.approval_id!);
      await stack.eventually(`approval ${i + 1} counted`, async () => (await probationOf('issue_store_credit')).reviewed === i + 1);
    }
  });

  it('graduates after the set count approved unchanged: the action runs by its manifest entry again', async () => {
    expect(await probationOf('issue_store_credit')).toMatchObject({ state: 'graduated', reviewed: 3, approved_unchanged: 3 });
    expect((await propose('issue_store_credit')).verdict).toBe('auto_approve');
  });

  it('an admin ends the other probation early on the owner’s word: recorded, and the action runs alone', async () => {
    expect((await propose('issue_gift_card')).verdict).toBe('human_review');
    const { id } = await probationOf('issue_gift_card');
    const listed = await stack.eventually('the probation listed by the escalation service', async () => {
      const answer = await stack.call('escalation', 'GET', '/probations?workspace=acme-support', TOKENS.grace);
      return (answer.json.items ?? []).find((p: { id: string }) => p.id === id);
    });
    expect(listed).toMatchObject({ action: 'issue_gift_card', state: 'active' });
    expect((await stack.call('escalation', 'POST', `/probations/${id}/end`, TOKENS.alice, { reason: 'not mine to end' })).status).toBe(403);
    const ended = await stack.call('escalation', 'POST', `/probations/${id}/end`, TOKENS.grace, { reason: 'billing-team signed off on the gift-card evals' });
    expect(ended.status).toBe(200);
    await stack.eventually('the router to end it', async () => (await probationOf('issue_gift_card')).state === 'ended');
    expect((await propose('issue_gift_card')).verdict).toBe('auto_approve');
  });

  it('each step is on the audit record', async () => {
    const types = await stack.eventually('the probation events on the record', async () => {
      const answer = await stack.call('audit', 'GET', '/audit/events?workspace=acme-support&limit=200', TOKENS.compliance);
      const items = (answer.json.items ?? []) as { type: string; actor: { kind: string; id: string }; summary: string; verified: boolean }[];
      const found = items.filter((e) => e.type.startsWith('hitl.control.probation_'));
      return found.length >= 4 && found;
    });
    expect(types.map((e) => e.type).sort()).toEqual([
      'hitl.control.probation_ended.v1',
      'hitl.control.probation_graduated.v1',
      'hitl.control.probation_started.v1',
      'hitl.control.probation_started.v1',
    ]);
    expect(types.find((e) => e.type === 'hitl.control.probation_ended.v1')).toMatchObject({
      actor: { kind: 'reviewer', id: 'rev-grace' },
      verified: true,
      summary: 'rev-grace ended the probation of issue_gift_card early: "billing-team signed off on the gift-card evals"',
    });
    expect(types.find((e) => e.type === 'hitl.control.probation_graduated.v1')).toMatchObject({
      summary: 'issue_store_credit graduated from probation: 3 of 3 reviewed decisions approved unchanged (needed 3 at 100%)',
    });
  });
});
