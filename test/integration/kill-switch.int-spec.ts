// The kill switch, end to end on the real services with two router replicas: an admin
// pauses an agent through the escalation API; within a second both replicas send its
// proposals at confidence 0.99 to a person, while other agents still run alone; the pause
// survives a restart of both replicas; resuming restores auto-approval; the pause and the
// resume are on the audit record. Proposals are signed by their agents' test keys.
import { randomUUID } from 'node:crypto';
import { DECISION_PROPOSED, newEvent, topicOf } from '@hitl/contracts';
import { idempotentProducer, query, signed } from '@hitl/testing';
import { Stack, TOKENS } from './support/stack';

const stack = new Stack();
const proposalTopic = () => `${stack.prefix}${topicOf(DECISION_PROPOSED)}`;

/** A refund of $120 at confidence 0.99: the refunds manifest auto-approves it (threshold 0.97, ceiling $500). */
function proposal(agent: string, decisionId = randomUUID()) {
  return signed(
    newEvent(
      DECISION_PROPOSED,
      {
        decision_id: decisionId,
        agent: { id: agent },
        action: 'process_refund',
        parameters: { order_id: `ORD-${decisionId.slice(0, 6)}`, amount_usd: 120 },
        confidence: 0.99,
        confidence_basis: 'matches the order history',
        uncertainty_factors: [],
        recommended_review: false,
        summary: 'Refund the damaged blender.',
      },
      { source: `agent/${agent}`, workspaceid: 'acme-support' },
    ),
  );
}

async function propose(agent: string, partition?: number): Promise<string> {
  const event = proposal(agent);
  const producer = idempotentProducer(stack.kafka);
  await producer.connect();
  await producer.send({ topic: proposalTopic(), acks: -1, messages: [{ key: event.subject, value: JSON.stringify(event), partition }] });
  await producer.disconnect();
  return event.data.decision_id;
}

async function verdictOf(decisionId: string): Promise<{ verdict: string; reasons: { rule: string; detail: string }[] }> {
  return stack.eventually(`decision ${decisionId} routed`, async () => {
    const [row] = await query<{ verdict: string; reasons: { rule: string; detail: string }[] }>(
      'SELECT verdict, reasons FROM router.decisions WHERE decision_id = $1',
      [decisionId],
      stack.databaseUrl,
    );
    return row;
  });
}

beforeAll(async () => {
  await stack.start();
  await stack.addReplica('router');
}, 240_000);

afterAll(() => stack.stop(), 60_000);

describe('the kill switch, with two router replicas', () => {
  let pauseId = '';

  it('before a pause, both agents’ refunds at 0.99 are auto-approved', async () => {
    expect(stack.replicaCount('router')).toBe(2);
    expect((await verdictOf(await propose('refund-bot'))).verdict).toBe('auto_approve');
    expect((await verdictOf(await propose('other-bot'))).verdict).toBe('auto_approve');
  });

  it('a pause of refund-bot holds on both replicas within a second: its proposals go to a person, other agents are unaffected', async () => {
    // Both replicas consume decision.proposed: the group's three partitions are shared between them.
    const admin = stack.kafka.admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([`${stack.prefix}hitl-router`]);
    await admin.disconnect();
    expect(groups[0].members.filter((m) => m.memberAssignment.length > 0)).toHaveLength(2);

    const asked = Date.now();
    const paused = await stack.call('escalation', 'POST', '/pauses', TOKENS.grace, {
      workspace: 'acme-support',
      agent_id: 'refund-bot',
      reason: 'refunds doubled after the 09:00 deploy',
    });
    expect(paused.status).toBe(201);
    pauseId = paused.json.id;

    // A probe to every partition every 100 ms, each stamped with when it was sent.
    const probes: { id: string; partition: number; sentAt: number }[] = [];
    const until = Date.now() + 2_500;
    while (Date.now() < until) {
      for (const partition of [0, 1, 2]) probes.push({ id: await propose('refund-bot', partition), partition, sentAt: Date.now() });
      await new Promise((done) => setTimeout(done, 100));
    }
    const routed = await Promise.all(probes.map(async (p) => ({ ...p, ...(await verdictOf(p.id)) })));
    expect(routed.every((r) => r.verdict === 'auto_approve' || r.verdict === 'human_review')).toBe(true);
    // Partitions run at their own pace, so one sent a little later may be routed a little sooner:
    // the pause holds from just after the last probe that still ran alone.
    const ranAlone = routed.filter((r) => r.verdict === 'auto_approve');
    const heldFrom = ranAlone.length > 0 ? Math.max(...ranAlone.map((r) => r.sentAt)) : asked;
    const after = routed.filter((r) => r.sentAt > heldFrom);
    expect(new Set(after.map((r) => r.partition))).toEqual(new Set([0, 1, 2])); // every partition, so both replicas
    const tookMs = after[0].sentAt - asked;
    console.log(`kill switch: the pause held on both router replicas ${tookMs} ms after it was asked for`);
    expect(tookMs).toBeLessThan(1_000);
    expect(after[0].reasons.at(-1)).toEqual({
      rule: 'paused',
      detail: `agent refund-bot paused by rev-grace (pause ${pauseId}): refunds doubled after the 09:00 deploy; a person reviews what it covers until it is resumed`,
    });

    expect((await verdictOf(await propose('other-bot'))).verdict).toBe('auto_approve');
  });

  it('survives a restart of both replicas', async () => {
    await stack.restartAll('router');
    expect(stack.replicaCount('router')).toBe(2);
    expect((await verdictOf(await propose('refund-bot'))).verdict).toBe('human_review');
    expect((await verdictOf(await propose('other-bot'))).verdict).toBe('auto_approve');
  });

  it('resuming is explicit, and restores auto-approval', async () => {
    const resumed = await stack.call('escalation', 'POST', `/pauses/${pauseId}/resume`, TOKENS.grace, { reason: 'rolled back the deploy' });
    expect(resumed.status).toBe(200);
    await stack.eventually('the resume to reach the router', async () => {
      const [row] = await query<{ resumed_at: Date | null }>('SELECT resumed_at FROM router.pauses WHERE id = $1', [pauseId], stack.databaseUrl);
      return row?.resumed_at;
    });
    expect((await verdictOf(await propose('refund-bot'))).verdict).toBe('auto_approve');
  });

  it('the pause and the resume are on the audit record, by the admin who made them', async () => {
    const record = await stack.eventually('the pause and the resume on the record', async () => {
      const answer = await stack.call('audit', 'GET', `/audit/events?workspace=acme-support&reviewer=rev-grace&limit=50`, TOKENS.compliance);
      const types = (answer.json.items ?? []).map((e: { type: string }) => e.type);
      return types.includes('hitl.control.paused.v1') && types.includes('hitl.control.resumed.v1') && answer.json.items;
    });
    expect(record.find((e: { type: string }) => e.type === 'hitl.control.paused.v1')).toMatchObject({
      actor: { kind: 'reviewer', id: 'rev-grace' },
      verified: true,
      step: 'paused',
      summary: 'rev-grace paused agent refund-bot: every new proposal it covers goes to a person: "refunds doubled after the 09:00 deploy"',
    });
  });
});
