// The agent gateway on the real router, escalation and broker: an agent with no Kafka
// connection proposes over HTTP with its token; the gateway signs the proposal for it (the
// registry lets that agent use it) and answers the outcome, waiting for it when asked, with
// the signed approval.resolved for the agent to verify. Identity and workspace come from the
// token: another agent's decision is not found, another workspace is refused, a body naming
// an agent is refused; a replayed decision_id answers the first outcome and proposes nothing.
import { randomUUID } from 'node:crypto';
import { APPROVAL_RESOLVED, AnyEvent, decodeEvent } from '@hitl/contracts';
import { GATEWAY_AGENTS, readWholeTopic, testTrust } from '@hitl/testing';
import { Stack, TOKENS } from './support/stack';

const stack = new Stack();
const LAMBDA = GATEWAY_AGENTS['lambda-bot'].token;
const DESK = GATEWAY_AGENTS['desk-bot'].token;

const refund = (amount: number, fields: Record<string, unknown> = {}) => ({
  decision_id: randomUUID(),
  action: 'process_refund',
  parameters: { order_id: `ORD-G${amount}`, amount_usd: amount },
  confidence: 0.97,
  confidence_basis: 'matches the order history',
  uncertainty_factors: [],
  recommended_review: false,
  summary: `Refund $${amount} to the card used for the order.`,
  ...fields,
});

const proposalsOf = async (decisionId: string): Promise<AnyEvent[]> =>
  (await readWholeTopic(stack.kafka, `${stack.prefix}decision.proposed`)).map((m) => JSON.parse(m.value!.toString())).filter((e) => e.subject === decisionId);

describe('the agent gateway', () => {
  const gateway = (method: string, path: string, token: string, body?: unknown) => stack.call('gateway', method, path, token, body);

  beforeAll(async () => {
    await stack.start(['router', 'escalation', 'gateway']);
  }, 240_000);

  afterAll(() => stack.stop());

  it('proposes for the agent its token names, signed by the gateway; an auto-approvable refund comes back approved by policy, signed by the router', async () => {
    const small = refund(20);
    const proposed = await gateway('POST', '/v1/decisions', LAMBDA, small);
    expect(proposed).toMatchObject({ status: 202, json: { decision_id: small.decision_id, workspace: 'acme-support', status: 'pending' } });

    const answer = await gateway('GET', `/v1/decisions/${small.decision_id}?wait=30`, LAMBDA);
    expect(answer).toMatchObject({ status: 200, json: { status: 'approved', resolution: { resolved_by: { kind: 'policy' }, parameters: small.parameters } } });
    // The outcome as the router signed it: the agent verifies it itself.
    const event = answer.json.resolution_event;
    const decoded = decodeEvent('approval.resolved', JSON.stringify(event));
    expect(decoded.ok && decoded.event.type === APPROVAL_RESOLVED && testTrust().keyring.verify(decoded.raw, decoded.event)).toMatchObject({
      ok: true,
      signer: { kind: 'service', service: 'router' },
    });

    const [sent] = await proposalsOf(small.decision_id);
    expect(sent).toMatchObject({ source: 'agent/lambda-bot', workspaceid: 'acme-support', data: { agent: { id: 'lambda-bot' } } });
    const raw = decodeEvent('decision.proposed', JSON.stringify(sent));
    expect(raw.ok && testTrust().keyring.verify(raw.raw, raw.event)).toMatchObject({ ok: true, signer: { kind: 'service', service: 'gateway' } });
  });

  it('waits for a person when asked: a large refund is pending, a reviewer approves it, the long-poll answers the outcome', async () => {
    const large = refund(400, { confidence: 0.9 });
    await gateway('POST', '/v1/decisions', LAMBDA, large);
    expect(await gateway('GET', `/v1/decisions/${large.decision_id}?wait=1`, LAMBDA)).toMatchObject({
      status: 200,
      json: { status: 'pending', resolution: null },
    });

    const waiting = gateway('GET', `/v1/decisions/${large.decision_id}?wait=60`, LAMBDA);
    const item = await stack.eventually('the refund in a reviewer’s inbox', async () => {
      for (const token of [TOKENS.alice, TOKENS.dana]) {
        const inbox = await stack.call('escalation', 'GET', '/approvals', token);
        const found = (inbox.json.items ?? []).find((i: { decision_id: string }) => i.decision_id === large.decision_id);
        if (found) return { ...found, token };
      }
      return undefined;
    });
    expect(await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/approve`, item.token, { payload_hash: item.payload_hash })).toMatchObject({
      status: 200,
    });
    expect(await waiting).toMatchObject({ status: 200, json: { status: 'approved', resolution: { resolved_by: { kind: 'reviewer' } } } });
  });

  it('replays: the same decision_id and content answers the first outcome and proposes nothing more; other content is a conflict', async () => {
    const small = refund(25);
    await gateway('POST', '/v1/decisions', LAMBDA, small);
    await gateway('GET', `/v1/decisions/${small.decision_id}?wait=30`, LAMBDA);
    const again = await gateway('POST', '/v1/decisions', LAMBDA, small);
    expect(again).toMatchObject({ status: 200, json: { decision_id: small.decision_id, status: 'approved' } });
    expect(await gateway('POST', '/v1/decisions', LAMBDA, { ...small, parameters: { order_id: 'ORD-G25', amount_usd: 2500 } })).toMatchObject({
      status: 409,
      json: { code: 'decision_conflict' },
    });
    expect(await proposalsOf(small.decision_id)).toHaveLength(1);
  });

  it('takes identity and workspace from the token alone', async () => {
    const mine = refund(30);
    await gateway('POST', '/v1/decisions', LAMBDA, mine);
    // Another agent's decision does not exist for the caller, nor may it take the id over.
    expect(await gateway('GET', `/v1/decisions/${mine.decision_id}`, DESK)).toMatchObject({ status: 404, json: { code: 'decision_not_found' } });
    expect(await gateway('POST', '/v1/decisions', DESK, mine)).toMatchObject({ status: 409, json: { code: 'decision_conflict' } });
    // Another workspace, an agent named in the body, no token, an unknown token.
    expect(await gateway('POST', '/v1/decisions', LAMBDA, refund(31, { workspace: 'globex-billing' }))).toMatchObject({
      status: 403,
      json: { code: 'wrong_workspace' },
    });
    const named = await gateway('POST', '/v1/decisions', LAMBDA, refund(32, { agent: { id: 'refund-bot' } }));
    expect(named).toMatchObject({ status: 400 });
    expect(JSON.stringify(named.json)).toContain('comes from your token');
    expect(await gateway('POST', '/v1/decisions', '', refund(33))).toMatchObject({ status: 401, json: { code: 'token_missing' } });
    expect(await gateway('POST', '/v1/decisions', 'not-a-known-token-0123456789', refund(34))).toMatchObject({ status: 401, json: { code: 'token_unknown' } });
    // A reviewer's token is no agent token.
    expect(await gateway('GET', `/v1/decisions/${mine.decision_id}`, TOKENS.alice)).toMatchObject({ status: 401, json: { code: 'token_unknown' } });
  });
});
