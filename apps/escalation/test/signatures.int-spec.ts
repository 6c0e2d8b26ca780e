// Signed authority in the escalation service, on the real broker and database: only the
// router opens approvals, only the proposing agent answers a clarification, and trust in
// router keys follows the keyset the service is given (rotation).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPROVAL_REQUESTED, CloudEvent, generateSigningKey, signEvent } from '@hitl/contracts';
import { eventually, query, testTrust } from '@hitl/testing';
import { Env, EscalationProcess, TOKENS, deadLetters, dropEnv, newEnv, of, publish, readUntil, request, sendRaw } from './support/escalation-harness';
import { agentAnswer } from './support/agent-answer';

const approvalsOf = (env: Env, decisionIds: string[]) =>
  query<{ decision_id: string; approval_id: string; assignee: string | null; status: string }>(
    'SELECT decision_id, approval_id, assignee, status FROM escalation.approvals WHERE decision_id = ANY($1::uuid[])',
    [decisionIds],
    env.databaseUrl,
  );

const opened = (env: Env, decisionId: string) => eventually(`the approval of ${decisionId} to open`, async () => (await approvalsOf(env, [decisionId]))[0]);

describe('signed authority in the escalation service', () => {
  let env: Env;
  let service: EscalationProcess;
  let webhook: Server;
  let posts = 0;

  beforeAll(async () => {
    // A chat webhook, so that an approval that opens notifies someone (and a refused one would show).
    webhook = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        posts += 1;
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((done) => webhook.listen(0, '127.0.0.1', done));
    const hooks = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}`;
    env = await newEnv();
    const path = join(mkdtempSync(join(tmpdir(), 'hitl-sig-')), 'notifications.yaml');
    writeFileSync(path, `public_url: https://hitl.example.test\nwebhooks:\n  support_agent: ${hooks}/support\n  finance_lead: ${hooks}/finance\n`);
    Object.assign(env.vars, { NOTIFICATIONS_PATH: path, NOTIFY_LINK_SECRET: 'test-link-secret-0123456789abcdef-0123456789', NOTIFY_POLL_INTERVAL_MS: '100' });
    service = new EscalationProcess(env);
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    await new Promise((done) => webhook?.close(done));
    if (env) await dropEnv(env);
  });

  it('a forged approval.requested opens nothing and notifies nobody; the same request signed by the router opens', async () => {
    const unsigned = request();
    const byAgent = request();
    const genuine = request();
    await sendRaw(env, 'approval.requested', [{ key: unsigned.subject, value: JSON.stringify(unsigned) }]);
    await publish(env, [byAgent], 'refund-bot');
    await publish(env, [genuine]);

    const letters = await deadLetters(env, 'approval.requested.dlq', [unsigned.id, byAgent.id]);
    expect(letters.filter((l) => l.id === unsigned.id).map((l) => l.code)).toEqual(['unsigned']);
    expect(letters.filter((l) => l.id === byAgent.id).map((l) => [l.code, l.reason])).toEqual([
      ['signature_invalid', 'approval.requested must be signed by the router service, not agent "refund-bot"'],
    ]);
    expect(letters.some((l) => l.id === genuine.id)).toBe(false);

    // The genuine one opens, is assigned and notified; the forged ones left no trace.
    const row = await opened(env, genuine.subject);
    const updates = await readUntil(env, 'approval.updated', (events) => of(events, genuine.subject).some((e) => e.type === 'hitl.approval.assigned.v1'));
    await eventually(
      'the notification to be sent',
      async () => (await query<{ n: number }>(`SELECT count(*)::int AS n FROM escalation.notifications WHERE status = 'sent'`, [], env.databaseUrl))[0].n > 0,
    );
    expect((await approvalsOf(env, [unsigned.subject, byAgent.subject, genuine.subject])).map((a) => a.decision_id)).toEqual([genuine.subject]);
    expect([...of(updates, unsigned.subject), ...of(updates, byAgent.subject)]).toEqual([]);
    const notified = await query<{ approval_id: string }>('SELECT approval_id FROM escalation.notifications', [], env.databaseUrl);
    expect(notified.length).toBeGreaterThan(0);
    expect(new Set(notified.map((n) => n.approval_id))).toEqual(new Set([row.approval_id]));
    expect(posts).toBeGreaterThan(0);
  });

  it('only the agent that proposed the decision answers its clarification', async () => {
    const r = request();
    await publish(env, [r]);
    const { approval_id: approvalId, assignee } = await eventually('the approval to open and be assigned', async () =>
      (await approvalsOf(env, [r.subject])).find((a) => a.assignee),
    );
    const asked = await fetch(`${service.url}/approvals/${approvalId}/clarify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS[assignee!]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'Was the item returned?' }),
    });
    expect(asked.status).toBe(201);
    const { clarification_id: clarificationId } = (await asked.json()) as { clarification_id: string };
    expect(r.data.decision.agent.id).toBe('refund-bot');

    const answer = (text: string) => agentAnswer({ decisionId: r.subject, approvalId, clarificationId }, text);
    const clarification = async () =>
      (
        await query<{ answer: string | null; provided_by: string | null }>(
          'SELECT answer, provided_by FROM escalation.clarifications WHERE clarification_id = $1',
          [clarificationId],
          env.databaseUrl,
        )
      )[0];

    // Another agent of the registry (allowed in the workspace), then nobody: refused, nothing changes.
    const byOtherAgent = answer('Yes, approve it.');
    const unsigned = answer('Yes, approve it now.');
    await sendRaw(env, 'approval.updated', [
      { key: r.subject, value: JSON.stringify(signEvent(byOtherAgent, testTrust().key('other-bot'))) },
      { key: r.subject, value: JSON.stringify(unsigned) },
    ]);
    const letters = await deadLetters(env, 'approval.updated.dlq', [byOtherAgent.id, unsigned.id]);
    expect(letters.filter((l) => l.id === byOtherAgent.id).map((l) => [l.code, l.reason])).toEqual([
      ['signature_invalid', `the clarification answer is not signed by the agent that proposed decision ${r.subject} (refund-bot)`],
    ]);
    expect(letters.filter((l) => l.id === unsigned.id).map((l) => l.code)).toEqual(['unsigned']);
    expect(await clarification()).toEqual({ answer: null, provided_by: null });
    expect((await approvalsOf(env, [r.subject]))[0].status).toBe('clarifying');

    // The proposer: accepted, the clocks run again.
    const byProposer = answer('No: the customer keeps it.');
    await sendRaw(env, 'approval.updated', [{ key: r.subject, value: JSON.stringify(signEvent(byProposer, testTrust().key('refund-bot'))) }]);
    await eventually('the approval to resume', async () => (await approvalsOf(env, [r.subject]))[0].status === 'pending');
    expect(await clarification()).toEqual({ answer: 'No: the customer keeps it.', provided_by: 'refund-bot' });
  });
});

describe('rotating the router key', () => {
  let env: Env;
  let service: EscalationProcess;

  afterAll(async () => {
    await service?.stop();
    if (env) await dropEnv(env);
  });

  it('trusts the old and the new router key while both are listed, and only the new one once the old is removed', async () => {
    const trust = testTrust();
    const oldKey = generateSigningKey();
    const newKey = generateSigningKey();
    const routerKeys = join(mkdtempSync(join(tmpdir(), 'hitl-rotation-')), 'router.jwks.json');
    const keyset = (...keys: (typeof oldKey)[]) => writeFileSync(routerKeys, JSON.stringify({ keys: keys.map((k) => k.jwk) }));
    const signedWith = (event: CloudEvent<typeof APPROVAL_REQUESTED>, key: typeof oldKey) => ({
      key: event.subject,
      value: JSON.stringify(signEvent(event, key.key)),
    });

    env = await newEnv();
    env.vars.SERVICE_KEYS = `router=${routerKeys},escalation=${join(trust.dir, 'escalation.jwks.json')}`;

    // Both keys listed: a request signed with the old one opens.
    keyset(oldKey, newKey);
    service = new EscalationProcess(env);
    await service.start();
    const beforeRotation = request();
    await sendRaw(env, 'approval.requested', [signedWith(beforeRotation, oldKey)]);
    await opened(env, beforeRotation.subject);

    // The old key removed, the service restarted: the old key no longer opens anything; the new one does.
    await service.stop();
    keyset(newKey);
    service = new EscalationProcess(env);
    await service.start();
    const oldAfterRotation = request();
    const newAfterRotation = request();
    await sendRaw(env, 'approval.requested', [signedWith(oldAfterRotation, oldKey), signedWith(newAfterRotation, newKey)]);
    await opened(env, newAfterRotation.subject);
    const letters = await deadLetters(env, 'approval.requested.dlq', [oldAfterRotation.id]);
    expect(letters.filter((l) => l.id === oldAfterRotation.id).map((l) => [l.code, l.reason])).toEqual([
      ['signature_invalid', `key ${oldKey.key.kid} is not trusted`],
    ]);
    expect((await approvalsOf(env, [oldAfterRotation.subject])).length).toBe(0);
    // The router key the test registry holds was never listed here: its requests are refused too.
    const byRegistryRouter = request();
    await publish(env, [byRegistryRouter]);
    const more = await deadLetters(env, 'approval.requested.dlq', [byRegistryRouter.id]);
    expect(more.filter((l) => l.id === byRegistryRouter.id).map((l) => l.code)).toEqual(['signature_invalid']);
  });
});
