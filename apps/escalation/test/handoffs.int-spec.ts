// "Get a human", escalation side, on the real broker and database: an agent's signed request
// opens a handoff for the manifest's handoff path (a forged or unsigned one is dead-lettered
// and never listed); only people of the path's roles in its workspace read it; one person
// takes it over (never the end user it serves); only they return it, once; each step is on
// handoff.updated, signed by the escalation service; nobody taking it within the SLA moves it
// up the path, and at the last role it is offered again.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { IncomingMessage, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AnyEvent, CloudEvent, HANDOFF_REQUESTED, decodeEvent, newEvent } from '@hitl/contracts';
import { eventually, httpCall, signed, testTrust } from '@hitl/testing';
import { Env, EscalationProcess, REVIEWERS, TOKENS, deadLetters, dropEnv, newEnv, readUntil, root, sendRaw } from './support/escalation-harness';

const ACME = 'acme-support';
/** Beside the harness's people: a team lead of acme, the second role of the path. */
const PEOPLE: Record<string, string> = { tess: 'tess-token-0123456789', ...TOKENS };
const MORE_REVIEWERS = `
  - { id: tess, name: Tess, roles: [team_lead], workspaces: [acme-support], token_env: REVIEWER_TOKEN_TESS }
`;
/** Three seconds a role: long enough to take one over by hand, short enough to watch it move up. */
const SLA_MINUTES = 0.05;

const request = (overrides: Partial<CloudEvent<typeof HANDOFF_REQUESTED>['data']> = {}, workspace = ACME): CloudEvent<typeof HANDOFF_REQUESTED> =>
  newEvent(
    HANDOFF_REQUESTED,
    {
      handoff_id: randomUUID(),
      agent_id: 'refund-bot',
      session_id: `chat-${randomUUID().slice(0, 8)}`,
      reason: 'the customer wants a person: the refund offered is not enough',
      transcript: [
        { from: 'user', text: 'My parcel arrived broken.' },
        { from: 'agent', text: 'I can refund $129.50.' },
        { from: 'user', text: 'Not enough. Get me a human.' },
      ],
      on_behalf_of: 'customer:c-77',
      replica_id: 'refund-bot-1',
      checkpoint: { step: 'offer_refund', order_id: 'ORD-77' },
      ...overrides,
    },
    { source: 'agent/refund-bot', workspaceid: workspace },
  );

function expectEscalationSigned(event: AnyEvent): void {
  const decoded = decodeEvent('handoff.updated', JSON.stringify(event));
  expect(decoded.ok && testTrust().keyring.verify(decoded.raw, decoded.event)).toMatchObject({ ok: true, signer: { kind: 'service', service: 'escalation' } });
}

/** The roles' shared chat channels: every post, by path. */
const posts: { path: string; text: string }[] = [];
let chat: Server;

describe('handoffs: requested by an agent, taken over and returned by a person', () => {
  let env: Env;
  let service: EscalationProcess;
  const postsAbout = (id: string) => posts.filter((p) => p.text.includes(id));

  const call = (method: string, path: string, who: string, body?: unknown) => httpCall(`${service.url}${path}`, { method, token: PEOPLE[who], body });
  const send = (...events: AnyEvent[]) =>
    sendRaw(
      env,
      'handoff.requested',
      events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
    );
  const steps = (id: string, enough: (mine: AnyEvent[]) => boolean) =>
    readUntil(env, 'handoff.updated', (all) => enough(all.filter((e) => e.subject === id))).then((all) => all.filter((e) => e.subject === id));
  const listed = async (who: string) => ((await call('GET', '/handoffs', who)).json as { items: { id: string }[] }).items.map((h) => h.id);

  beforeAll(async () => {
    env = await newEnv();
    env.vars.REVIEWER_TOKEN_TESS = PEOPLE.tess;
    writeFileSync(env.reviewersPath, `${REVIEWERS.trimEnd()}${MORE_REVIEWERS}`);
    const manifest = readFileSync(join(root, 'manifests/refunds.yaml'), 'utf8').replace(
      /^handoff: .*$/m,
      `handoff: { escalation_path: [support_agent, team_lead], sla_minutes: ${SLA_MINUTES} }`,
    );
    if (!manifest.includes(`sla_minutes: ${SLA_MINUTES} }`)) throw new Error('manifests/refunds.yaml has no one-line handoff section to shorten');
    env.vars.MANIFEST_PATH = join(env.reviewersPath, '..', 'refunds.yaml');
    writeFileSync(env.vars.MANIFEST_PATH, manifest);
    chat = createServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => (posts.push({ path: req.url ?? '', text: raw }), res.writeHead(200).end('ok')));
    });
    await new Promise<void>((done) => chat.listen(0, '127.0.0.1', done));
    const hooks = `http://127.0.0.1:${(chat.address() as AddressInfo).port}`;
    env.vars.NOTIFICATIONS_PATH = join(env.reviewersPath, '..', 'notifications.yaml');
    writeFileSync(
      env.vars.NOTIFICATIONS_PATH,
      `public_url: https://hitl.example.test\nconsole_url: https://console.example.test\nwebhooks:\n  support_agent: ${hooks}/support\n  team_lead: ${hooks}/leads\n`,
    );
    env.vars.NOTIFY_POLL_INTERVAL_MS = '100';
    service = new EscalationProcess(env);
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    if (env) await dropEnv(env);
    await new Promise((done) => chat?.close(done));
  });

  it('opens a signed request for the first role of the path, with the conversation, for the path’s roles of its workspace only', async () => {
    const asked = request();
    await send(signed(asked));
    const [opened] = await steps(asked.data.handoff_id, (mine) => mine.length >= 1);
    expect(opened).toMatchObject({
      type: 'hitl.handoff.opened.v1',
      workspaceid: ACME,
      data: { session_id: asked.data.session_id, reviewer_role: 'support_agent', tier: 0 },
    });
    expectEscalationSigned(opened);

    const seen = await call('GET', `/handoffs/${asked.data.handoff_id}`, 'alice');
    expect(seen.status).toBe(200);
    expect(seen.json).toMatchObject({
      state: 'open',
      reason: asked.data.reason,
      transcript: asked.data.transcript,
      on_behalf_of: 'customer:c-77',
      can_take: true,
    });
    expect(await listed('alice')).toContain(asked.data.handoff_id);
    // The role's shared channel is told, with a link that needs sign-in, and never the end user's words.
    const [told] = await eventually('the support channel told', () => postsAbout(asked.data.handoff_id).length > 0 && postsAbout(asked.data.handoff_id));
    expect(told.path).toBe('/support');
    expect(told.text).toContain(`https://console.example.test/handoffs/${asked.data.handoff_id}`);
    expect(told.text).toContain(asked.data.session_id);
    expect(told.text).not.toContain('Get me a human');
    // A finance lead holds no role of the path; a reviewer of another workspace does not work there.
    for (const who of ['dan', 'zed']) {
      expect(await call('GET', `/handoffs/${asked.data.handoff_id}`, who)).toMatchObject({ status: 404, json: { code: 'handoff_not_found' } });
      expect(await listed(who)).not.toContain(asked.data.handoff_id);
    }
  });

  it('dead-letters a request signed by another agent, an unsigned one, and one outside the agent’s workspace: none is ever listed', async () => {
    const byOther = signed(request(), 'other-bot');
    const unsigned = request();
    const outside = signed(request({ agent_id: 'acme-only-bot' }, 'globex-billing'), 'acme-only-bot');
    await send(byOther, unsigned, outside);
    const letters = await deadLetters(env, 'handoff.requested.dlq', [byOther.id, unsigned.id, outside.id]);
    const code = (id: string) => letters.find((l) => l.id === id);
    expect(code(byOther.id)).toMatchObject({
      code: 'signature_invalid',
      reason: expect.stringMatching(/names agent "refund-bot" but is signed by agent "other-bot"/),
    });
    expect(code(unsigned.id)).toMatchObject({ code: 'unsigned' });
    expect(code(outside.id)).toMatchObject({ code: 'signature_invalid', reason: expect.stringMatching(/may not act in workspace "globex-billing"/) });
    for (const forged of [byOther, unsigned, outside]) expect(await call('GET', `/handoffs/${forged.data.handoff_id}`, 'adam')).toMatchObject({ status: 404 });
  });

  it('is taken over once, never by the end user it serves, and returned only by its taker, once; each step signed on handoff.updated', async () => {
    const asked = request({ on_behalf_of: 'bob' });
    await send(signed(asked), signed(asked)); // delivered twice: opened once
    const id = asked.data.handoff_id;
    await eventually('the handoff to be open', async () => (await call('GET', `/handoffs/${id}`, 'alice')).status === 200);

    expect(await call('POST', `/handoffs/${id}/return`, 'alice', { resolution: 'handed_back', notes: 'nothing yet' })).toMatchObject({
      status: 409,
      json: { code: 'not_taken' },
    });
    expect(await call('POST', `/handoffs/${id}/take`, 'bob')).toMatchObject({ status: 403, json: { code: 'requester' } });
    expect(await call('POST', `/handoffs/${id}/take`, 'dan')).toMatchObject({ status: 404, json: { code: 'handoff_not_found' } });
    expect(await call('POST', `/handoffs/${id}/take`, 'alice')).toMatchObject({ status: 200, json: { state: 'taken', taken_by: 'alice', sla_deadline: null } });
    expect(await call('POST', `/handoffs/${id}/take`, 'carol')).toMatchObject({
      status: 409,
      json: { code: 'already_taken', message: expect.stringContaining('alice') },
    });
    expect(await call('POST', `/handoffs/${id}/return`, 'carol', { resolution: 'closed', notes: 'not mine to close' })).toMatchObject({
      status: 403,
      json: { code: 'not_yours' },
    });
    expect(await call('POST', `/handoffs/${id}/return`, 'alice', { resolution: 'resumed', notes: 'x' })).toMatchObject({ status: 400 });

    const notes = 'Refunded the express shipping by hand; offer the $129.50 refund again.';
    const returned = await call('POST', `/handoffs/${id}/return`, 'alice', { resolution: 'handed_back', notes, reply: 'Shipping refunded.' });
    expect(returned).toMatchObject({ status: 200, json: { state: 'handed_back', returned_by: 'alice', notes, reply: 'Shipping refunded.' } });
    expect(await call('POST', `/handoffs/${id}/return`, 'alice', { resolution: 'closed', notes: 'again' })).toMatchObject({
      status: 409,
      json: { code: 'already_returned' },
    });

    const mine = await steps(id, (events) => events.some((e) => e.type === 'hitl.handoff.returned.v1'));
    expect(mine.map((e) => e.type)).toEqual(['hitl.handoff.opened.v1', 'hitl.handoff.taken.v1', 'hitl.handoff.returned.v1']);
    mine.forEach(expectEscalationSigned);
    expect(mine[2].data).toMatchObject({
      resolution: 'handed_back',
      notes,
      reply: 'Shipping refunded.',
      returned_by: 'alice',
      replica_id: 'refund-bot-1',
      checkpoint: asked.data.checkpoint,
    });
    expect(await listed('alice')).not.toContain(id);
  });

  it('moves up the path when nobody takes it over within the SLA, and at the last role offers it there again', async () => {
    const asked = request();
    await send(signed(asked));
    const id = asked.data.handoff_id;
    const mine = await steps(id, (events) => events.filter((e) => e.type === 'hitl.handoff.escalated.v1').length >= 2);
    const [up, again] = mine.filter((e) => e.type === 'hitl.handoff.escalated.v1');
    expect(up.data).toMatchObject({ from_role: 'support_agent', reviewer_role: 'team_lead', tier: 1 });
    expect(again.data).toMatchObject({ from_role: 'team_lead', reviewer_role: 'team_lead', tier: 1, reason: expect.stringContaining('offered again') });
    expectEscalationSigned(up);
    // The team leads' channel is told when it reaches them.
    await eventually('the leads channel told', () => postsAbout(id).some((p) => p.path === '/leads' && p.text.includes('Still nobody took the session over')));
    // The team lead now sees it and may take it; the first role still may too (a person now beats a person later).
    expect(await call('GET', `/handoffs/${id}`, 'tess')).toMatchObject({ status: 200, json: { reviewer_role: 'team_lead', can_take: true } });
    expect(await call('POST', `/handoffs/${id}/take`, 'tess')).toMatchObject({ status: 200, json: { taken_by: 'tess' } });
  });
});
