// The repair loop end to end: the agent SDK with a repair hook against the real router and
// escalation service (their own processes, database and topic prefix). Parameters that fail
// the action's schema go back to the agent with machine-readable errors; a repair that fixes
// them is routed as any proposal; after repair.max_attempts (2 in the refunds manifest) a
// person reviews every attempt side by side, and may edit or deny but not approve them as they are.
import { randomUUID } from 'node:crypto';
import { HitlAgent, HitlAgentOptions, ParameterError, Proposal } from '@hitl/agent-sdk';
import { DecisionProposedData } from '@hitl/contracts';
import { readWholeTopic, testTrust } from '@hitl/testing';
import { Stack, TOKENS } from './support/stack';

const stack = new Stack();
let agent: HitlAgent;
let trustedKeys: HitlAgentOptions['trustedKeys'];

const agentOptions = (): HitlAgentOptions => ({
  brokers: stack.brokers.split(','),
  clientId: 'repair-agent',
  agentId: 'refund-bot',
  workspace: 'acme-support',
  topicPrefix: stack.prefix,
  signingKey: testTrust().key('refund-bot'),
  trustedKeys,
});

const refund = (parameters: Record<string, unknown>): Proposal => ({
  decision_id: randomUUID(),
  action: 'process_refund',
  parameters,
  confidence: 0.9,
  confidence_basis: 'matches the order history',
  uncertainty_factors: [],
  recommended_review: false,
  summary: 'Refund the customer.',
});
const typeError = { field: 'parameters.amount_usd', rule: 'type', message: 'must be number' };

/** Every event of the run on a topic, as JSON. */
const eventsOn = async (topic: string) => (await readWholeTopic(stack.kafka, `${stack.prefix}${topic}`)).map((m) => JSON.parse(m.value!.toString()));

beforeAll(async () => {
  await stack.start(['router', 'escalation']);
  const keysOf = async (service: 'router' | 'escalation') => (await fetch(`${stack.urls[service]}/keys`)).json();
  trustedKeys = { router: await keysOf('router'), escalation: await keysOf('escalation') };
  agent = new HitlAgent(agentOptions());
  await agent.start();
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await stack.stop();
});

describe('the repair loop through the SDK, the router and a reviewer', () => {
  it('a proposal the agent repairs is auto-approved on its second attempt, and only the repaired parameters run', async () => {
    const calls: { decision: DecisionProposedData; errors: ParameterError[] }[] = [];
    const first = refund({ order_id: 'ORD-RP1', amount_usd: '20' });
    const resolution = await agent.propose(first, {
      timeoutMs: 60_000,
      repair: (decision, errors) => {
        calls.push({ decision, errors });
        return { ...decision.parameters, amount_usd: Number(decision.parameters.amount_usd) };
      },
    });

    expect(calls).toHaveLength(1);
    expect(calls[0].errors).toEqual([typeError]);
    expect(calls[0].decision).toMatchObject({ decision_id: first.decision_id, repairable: true, parameters: first.parameters });
    // The outcome is the second attempt's: a new decision, approved by policy ($20 at 0.9).
    expect(resolution).toMatchObject({ status: 'approved', resolved_by: { kind: 'policy' }, parameters: { order_id: 'ORD-RP1', amount_usd: 20 } });
    expect(resolution.decision_id).not.toBe(first.decision_id);
    const ran: unknown[] = [];
    await agent.guard(resolution, (parameters) => ran.push(parameters));
    expect(ran).toEqual([{ order_id: 'ORD-RP1', amount_usd: 20 }]);

    // On the wire: the first attempt blocked with the errors, the second names it.
    const proposed = await eventsOn('decision.proposed');
    const attempts = [first.decision_id, resolution.decision_id].map((id) => proposed.find((e) => e.subject === id));
    expect(attempts.map((e) => [e.subject, e.data.repairable, e.data.repair_of])).toEqual([
      [first.decision_id, true, undefined],
      [resolution.decision_id, true, first.decision_id],
    ]);
    const resolved = (await eventsOn('approval.resolved')).filter((e) => e.subject === first.decision_id);
    expect(resolved.map((e) => [e.data.status, e.data.parameter_errors])).toEqual([['blocked', [typeError]]]);
    // Asking for the first attempt again answers with the chain's outcome.
    await expect(agent.resolution(first.decision_id!)).resolves.toMatchObject({ decision_id: resolution.decision_id, status: 'approved' });
    expect(await agent.pending()).toEqual([]);
  });

  it('with a resolution handler, only the chain’s last outcome is handed over, once, with the checkpoint', async () => {
    const handled: { decision_id: string; status: string; checkpoint: unknown }[] = [];
    const replica = new HitlAgent({ ...agentOptions(), replicaId: 'repair-handler', pendingStore: 'memory' });
    replica.onResolution(
      (resolution, decision) => void handled.push({ decision_id: resolution.decision_id, status: resolution.status, checkpoint: decision.checkpoint }),
    );
    await replica.start();
    try {
      const first = refund({ order_id: 'ORD-RP3', amount_usd: '15' });
      const resolution = await replica.propose(first, {
        timeoutMs: 60_000,
        checkpoint: { step: 'refund' },
        repair: (decision) => ({ ...decision.parameters, amount_usd: 15 }),
      });
      expect(resolution).toMatchObject({ status: 'approved', parameters: { order_id: 'ORD-RP3', amount_usd: 15 } });
      // Once the store is empty nothing is left to hand over: the handler ran for the last attempt only.
      await stack.eventually('the handler to run and the store to be empty', async () => handled.length > 0 && (await replica.pending()).length === 0);
      expect(handled).toEqual([{ decision_id: resolution.decision_id, status: 'approved', checkpoint: { step: 'refund' } }]);
    } finally {
      await replica.stop();
    }
  });

  it('a decision that fails its repairs is reviewed by a person who sees every attempt with its errors, and who must edit or deny it', async () => {
    const first = refund({ order_id: 'ORD-RP2', amount_usd: '120' });
    const tries = ['120', 'one hundred twenty', '120 USD'];
    let repairs = 0;
    const outcome = agent.propose(first, {
      timeoutMs: 120_000,
      // A hook that never gets the type right.
      repair: (decision) => ({ ...decision.parameters, amount_usd: tries[++repairs] }),
    });

    // The reviewer finds the last attempt (the one the second repair proposed) in her inbox.
    const item = await stack.eventually('the last attempt in the support agent inbox', async () => {
      const proposed = await eventsOn('decision.proposed');
      const repairOf = (id: string | undefined) => proposed.find((e) => id !== undefined && e.data.repair_of === id)?.subject as string | undefined;
      const last = repairOf(repairOf(first.decision_id));
      const inbox = await stack.call('escalation', 'GET', '/approvals', TOKENS.alice);
      return (inbox.json.items as { decision_id: string; approval_id: string; payload_hash: string }[] | undefined)?.find(
        (i) => last !== undefined && i.decision_id === last,
      );
    });
    const detail = await stack.call('escalation', 'GET', `/approvals/${item.approval_id}`, TOKENS.alice);
    expect(detail.status).toBe(200);
    // Every attempt side by side, oldest first: the first proposal and both repairs, each with its errors.
    expect(detail.json.repair_attempts).toEqual([
      { decision_id: first.decision_id, attempt: 1, parameters: { order_id: 'ORD-RP2', amount_usd: '120' }, errors: [typeError], current: false },
      {
        decision_id: expect.any(String),
        attempt: 2,
        parameters: { order_id: 'ORD-RP2', amount_usd: 'one hundred twenty' },
        errors: [typeError],
        current: false,
      },
      { decision_id: item.decision_id, attempt: 3, parameters: { order_id: 'ORD-RP2', amount_usd: '120 USD' }, errors: [typeError], current: true },
    ]);
    expect(detail.json.trace.map((r: { rule: string }) => r.rule)).toEqual([
      'action',
      'repair_of',
      'parameters_invalid',
      'repair_attempt',
      'repair_attempt',
      'repair_exhausted',
    ]);
    expect(detail.json.on_timeout).toBe('deny');

    // Approving the parameters as they are is refused; an edit into valid parameters is approved.
    const asIs = await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/approve`, TOKENS.alice, { payload_hash: item.payload_hash });
    expect(asIs).toMatchObject({ status: 422, json: { code: 'parameters_invalid' } });
    expect(asIs.json.message).toContain('parameters.amount_usd must be number');
    const fixed = { order_id: 'ORD-RP2', amount_usd: 120 };
    const edited = await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/edit`, TOKENS.alice, {
      payload_hash: item.payload_hash,
      parameters: fixed,
      notes: 'the amount as a number',
    });
    expect(edited).toMatchObject({ status: 200, json: { status: 'approved' } });

    // The original propose() resolves with the reviewer's outcome of the last attempt.
    const resolution = await outcome;
    expect(repairs).toBe(2);
    expect(resolution).toMatchObject({
      decision_id: item.decision_id,
      status: 'approved',
      edited: true,
      parameters: fixed,
      resolved_by: { kind: 'reviewer', id: 'rev-alice' },
    });
    const ran: unknown[] = [];
    await agent.guard(resolution, (parameters) => ran.push(parameters));
    expect(ran).toEqual([fixed]);
  });

  it('a hook that gives up (null) hands the decision to a person at once, who sees both attempts and may deny it', async () => {
    const first = refund({ order_id: 'ORD-RP4', amount_usd: 'about forty' });
    const outcome = agent.propose(first, { timeoutMs: 60_000, repair: () => null });
    const item = await stack.eventually('the handed-over attempt in the inbox', async () => {
      const proposed = await eventsOn('decision.proposed');
      const handedOver = proposed.find((e) => e.data.repair_of === first.decision_id);
      const inbox = await stack.call('escalation', 'GET', '/approvals', TOKENS.alice);
      return (inbox.json.items as { decision_id: string; approval_id: string; payload_hash: string }[] | undefined)?.find(
        (i) => handedOver !== undefined && i.decision_id === handedOver.subject && handedOver.data.repairable === false,
      );
    });
    const detail = await stack.call('escalation', 'GET', `/approvals/${item.approval_id}`, TOKENS.alice);
    expect(detail.json.repair_attempts.map((a: { attempt: number; current: boolean }) => [a.attempt, a.current])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(detail.json.trace.at(-1).rule).toBe('repair_unavailable');
    const denied = await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/deny`, TOKENS.alice, { reason: 'no amount we can read' });
    expect(denied).toMatchObject({ status: 200, json: { status: 'denied' } });
    await expect(outcome).resolves.toMatchObject({ decision_id: item.decision_id, status: 'denied' });
  });
});
