// The agent gateway on the real router, escalation and broker: an agent with no Kafka
// connection proposes over HTTP with its token; the gateway signs the proposal for it (the
// registry lets that agent use it) and answers the outcome, waiting for it when asked, with
// the signed approval.resolved for the agent to verify. Identity and workspace come from the
// token: another agent's decision is not found, another workspace is refused, a body naming
// an agent is refused; a replayed decision_id answers the first outcome and proposes nothing.
import { randomUUID } from 'node:crypto';
import { IncomingHttpHeaders, IncomingMessage, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { APPROVAL_RESOLVED, AnyEvent, decodeEvent } from '@hitl/contracts';
import { Webhook } from 'standardwebhooks';
import { GATEWAY_AGENTS, query, readWholeTopic, testTrust } from '@hitl/testing';
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
    await stack.start(['router', 'escalation', 'audit', 'gateway']);
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
    // Signed with the gateway's key, naming its agent: it counts as lambda-bot's, through the gateway.
    expect(sent).toMatchObject({ hitlagent: 'lambda-bot' });
    expect(raw.ok && testTrust().keyring.verify(raw.raw, raw.event)).toMatchObject({ ok: true, signer: { kind: 'agent', id: 'lambda-bot', via: 'gateway' } });
  });

  it('waits for a person when asked: a large refund is pending, a reviewer approves it, the long-poll answers the outcome', async () => {
    const large = refund(400, { confidence: 0.9 });
    await gateway('POST', '/v1/decisions', LAMBDA, large);
    expect(await gateway('GET', `/v1/decisions/${large.decision_id}?wait=1`, LAMBDA)).toMatchObject({
      status: 200,
      json: { status: 'pending', resolution: null },
    });

    const waiting = gateway('GET', `/v1/decisions/${large.decision_id}?wait=60`, LAMBDA);
    // And as Server-Sent Events: the decision pending, then its outcome, then the end.
    const streamed = fetch(`${stack.urls.gateway}/v1/decisions/${large.decision_id}/events`, { headers: { authorization: `Bearer ${LAMBDA}` } }).then(
      async (r) => ({ type: r.headers.get('content-type'), text: await r.text() }),
    );
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
    const { type, text } = await streamed;
    expect(type).toContain('text/event-stream');
    const events = text
      .split('\n\n')
      .filter((f) => f.startsWith('event:'))
      .map((f) => ({ event: f.split('\n')[0].slice(7), data: JSON.parse(f.split('\n')[1].slice(6)) }));
    expect(events.map((e) => [e.event, e.data.status])).toEqual([
      ['decision', 'pending'],
      ['decision', 'approved'],
      ['end', 'approved'],
    ]);
    expect((await fetch(`${stack.urls.gateway}/v1/decisions/${large.decision_id}/events`, { headers: { authorization: `Bearer ${DESK}` } })).status).toBe(404);
  });

  it('posts each outcome to the agent’s callback, signed as Standard Webhooks specifies, and retries a failed post', async () => {
    const posts: { headers: IncomingHttpHeaders; body: string; answered: number }[] = [];
    let failFirst = true;
    const receiver: Server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const answered = failFirst ? 503 : 200;
        failFirst = false;
        posts.push({ headers: req.headers, body, answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hitl`;
      const set = await gateway('PUT', '/v1/callback', DESK, { url });
      expect(set).toMatchObject({ status: 200, json: { url, secret: expect.stringMatching(/^whsec_/) } });
      expect((await gateway('GET', '/v1/callback', DESK)).json).not.toHaveProperty('secret');
      expect(await gateway('PUT', '/v1/callback', DESK, { url: 'file:///etc/passwd' })).toMatchObject({ status: 400 });

      const large = refund(300, { confidence: 0.9 });
      await gateway('POST', '/v1/decisions', DESK, large);
      const item = await stack.eventually('the refund in alice’s inbox', async () => {
        const inbox = await stack.call('escalation', 'GET', '/approvals', TOKENS.alice);
        return (inbox.json.items ?? []).find((i: { decision_id: string }) => i.decision_id === large.decision_id);
      });
      await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/deny`, TOKENS.alice, { reason: 'refund already issued on an earlier ticket' });

      await stack.eventually('the callback answered 200 after a 503', async () => (posts.some((p) => p.answered === 200) ? posts : undefined));
      const [failed, delivered] = posts;
      // A receiver verifies the signature with the secret it was given (the Standard Webhooks library), and drops a repeat by webhook-id.
      const message = new Webhook(set.json.secret).verify(delivered.body, delivered.headers as Record<string, string>) as { type: string; data: any };
      expect(message).toMatchObject({
        type: 'hitl.decision.resolved',
        data: { decision_id: large.decision_id, status: 'denied', resolution: { resolved_by: { id: 'rev-alice' } } },
      });
      expect(delivered.headers['webhook-id']).toBe(`msg_${large.decision_id}`);
      expect(failed.headers['webhook-id']).toBe(delivered.headers['webhook-id']);
      expect(() =>
        new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(delivered.body, delivered.headers as Record<string, string>),
      ).toThrow();
    } finally {
      await new Promise((done) => receiver.close(done));
    }
  });

  it('loses no callback across a crash: an outcome its receiver refused until then is posted after the gateway was killed -9 and restarted', async () => {
    const posts: { headers: IncomingHttpHeaders; body: string; answered: number }[] = [];
    let accepting = false;
    const receiver: Server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const answered = accepting ? 200 : 503;
        posts.push({ headers: req.headers, body, answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    try {
      const set = await gateway('PUT', '/v1/callback', DESK, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/after-crash` });
      const small = refund(23);
      await gateway('POST', '/v1/decisions', DESK, small);
      expect(await gateway('GET', `/v1/decisions/${small.decision_id}?wait=30`, DESK)).toMatchObject({ json: { status: 'approved' } });
      await stack.eventually('a refused post', async () => posts.some((p) => p.answered === 503));

      await stack.crashAll('gateway');
      accepting = true;
      const delivered = await stack.eventually('the post after the restart', async () => posts.find((p) => p.answered === 200), 90_000);
      const message = new Webhook(set.json.secret).verify(delivered.body, delivered.headers as Record<string, string>) as { data: { decision_id: string } };
      expect(message.data.decision_id).toBe(small.decision_id);
      expect(new Set(posts.map((p) => p.headers['webhook-id']))).toEqual(new Set([`msg_${small.decision_id}`]));
      // The outcome was kept before the crash, and is still read back after it.
      expect(await gateway('GET', `/v1/decisions/${small.decision_id}`, DESK)).toMatchObject({ json: { status: 'approved' } });
    } finally {
      await new Promise((done) => receiver.close(done));
      await gateway('DELETE', '/v1/callback', DESK);
    }
  });

  it('reports what ran and labels the outcome for its agent: on the record as the agent’s own, once; only under an approval', async () => {
    const small = refund(22);
    await gateway('POST', '/v1/decisions', LAMBDA, small);
    await gateway('GET', `/v1/decisions/${small.decision_id}?wait=30`, LAMBDA);
    const ran = { succeeded: true, output: { refund_id: 'rf-22' }, duration_ms: 41 };
    expect(await gateway('POST', `/v1/decisions/${small.decision_id}/execution`, LAMBDA, ran)).toMatchObject({ status: 200 });
    expect(await gateway('POST', `/v1/decisions/${small.decision_id}/execution`, LAMBDA, ran)).toMatchObject({
      status: 409,
      json: { code: 'already_reported' },
    });
    expect(await gateway('POST', `/v1/decisions/${small.decision_id}/execution`, DESK, ran)).toMatchObject({ status: 404 });
    expect(await gateway('POST', `/v1/decisions/${small.decision_id}/labels`, LAMBDA, { correct: true, source: 'customer_feedback' })).toMatchObject({
      status: 200,
    });

    // Recorded by the audit as the agent's own (its proposer), through the gateway.
    const rows = await stack.eventually('the execution and the label on the record', async () => {
      const found = await query<{ type: string; verified: boolean; signer: string | null; event: { data: Record<string, unknown> } }>(
        `SELECT type, verified, signer, event FROM audit.events WHERE decision_id = $1 AND type IN ('hitl.action.executed.v1', 'hitl.outcome.labeled.v1') ORDER BY seq`,
        [small.decision_id],
        stack.databaseUrl,
      );
      return found.length >= 2 ? found : undefined;
    });
    expect(rows.map((r) => [r.type, r.verified, r.signer])).toEqual([
      ['hitl.action.executed.v1', true, 'agent:lambda-bot'],
      ['hitl.outcome.labeled.v1', true, 'agent:lambda-bot'],
    ]);
    expect(rows[0].event.data).toMatchObject({ succeeded: true, output: { refund_id: 'rf-22' }, parameters: small.parameters, action: 'process_refund' });

    // Nothing runs under a decision that was not approved.
    const denied = refund(310, { confidence: 0.9 });
    await gateway('POST', '/v1/decisions', LAMBDA, denied);
    const item = await stack.eventually('the refund in alice’s inbox', async () => {
      const inbox = await stack.call('escalation', 'GET', '/approvals', TOKENS.alice);
      return (inbox.json.items ?? []).find((i: { decision_id: string }) => i.decision_id === denied.decision_id);
    });
    await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/deny`, TOKENS.alice, { reason: 'a duplicate of an earlier refund' });
    await gateway('GET', `/v1/decisions/${denied.decision_id}?wait=30`, LAMBDA);
    expect(await gateway('POST', `/v1/decisions/${denied.decision_id}/execution`, LAMBDA, ran)).toMatchObject({ status: 409, json: { code: 'not_approved' } });
  });

  it('hands a reviewer’s question to its agent, whose answer reaches the reviewer as the agent’s own', async () => {
    const large = refund(320, { confidence: 0.9 });
    await gateway('POST', '/v1/decisions', LAMBDA, large);
    const item = await stack.eventually('the refund in alice’s inbox', async () => {
      const inbox = await stack.call('escalation', 'GET', '/approvals', TOKENS.alice);
      return (inbox.json.items ?? []).find((i: { decision_id: string }) => i.decision_id === large.decision_id);
    });
    const waiting = gateway('GET', `/v1/decisions/${large.decision_id}?wait=60`, LAMBDA);
    const asked = await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/clarify`, TOKENS.alice, { question: 'Which card was charged twice?' });
    expect(asked).toMatchObject({ status: 201 });
    // The long-poll ends with the question: the reviewer waits on the agent.
    const seen = await waiting;
    expect(seen.json).toMatchObject({
      status: 'pending',
      clarifications: [{ clarification_id: asked.json.clarification_id, question: 'Which card was charged twice?', answer: null }],
    });

    const path = `/v1/decisions/${large.decision_id}/clarifications/${asked.json.clarification_id}`;
    expect(await gateway('POST', path, DESK, { answer: 'not mine' })).toMatchObject({ status: 404 });
    expect(await gateway('POST', path, LAMBDA, { answer: 'The Visa ending 4242, on 1 December.' })).toMatchObject({ status: 200 });
    expect(await gateway('POST', path, LAMBDA, { answer: 'again' })).toMatchObject({ status: 409, json: { code: 'already_answered' } });
    // The escalation service took it as the proposing agent's answer (it refuses any other signer).
    const view = await stack.eventually('the answer on the approval', async () => {
      const answer = await stack.call('escalation', 'GET', `/approvals/${item.approval_id}`, TOKENS.alice);
      // The answer is kept, and then the approval leaves `clarifying`: wait for both.
      return answer.json.clarifications?.[0]?.answer && answer.json.status === 'pending' ? answer.json : undefined;
    });
    expect(view).toMatchObject({ status: 'pending', clarifications: [{ answer: 'The Visa ending 4242, on 1 December.' }] });
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
