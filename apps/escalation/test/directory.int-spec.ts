// Changes of the reviewer directory are governed, on the real broker and database: every
// change (added, updated, token issued, removed; by the admin API or the reviewers file) is a
// signed hitl.directory.reviewer_changed.v1 on directory.changed, one per workspace it
// touches, written with the change; an admin never widens their own authority; a token
// issued for a reviewer is told to them on their own channel, or a log line says nobody could be.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { IncomingMessage, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AnyEvent, DIRECTORY_REVIEWER_CHANGED, DirectoryReviewerChangedData, decodeEvent } from '@hitl/contracts';
import { eventually, query, testTrust } from '@hitl/testing';
import { Env, EscalationProcess, dropEnv, newEnv, readUntil } from './support/escalation-harness';

const TOKENS = {
  grace: 'grace-token-0123456789',
  hana: 'hana-token-0123456789',
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** As they happened: each change's copies share its time (and its id); they are read from several partitions. */
const inOrder = <E extends AnyEvent>(events: E[]) => [...events].sort((a, b) => a.time.localeCompare(b.time) || a.workspaceid.localeCompare(b.workspaceid));

describe('the reviewer directory, governed', () => {
  let env: Env;
  let service: EscalationProcess;
  let hookUrl = '';
  let server: Server;
  const told: { path: string; text: string }[] = [];

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const admin = (method: string, path: string, body?: unknown) => call(method, path, TOKENS.grace, body);

  /** Every directory change on the topic so far, once there are `count` events about `reviewerId`. */
  const changesOf = async (reviewerId: string, count: number) => {
    const all = await readUntil(
      env,
      'directory.changed',
      (events) => events.filter((e) => (e.data as DirectoryReviewerChangedData).reviewer_id === reviewerId).length >= count,
    );
    return all.filter((e) => (e.data as DirectoryReviewerChangedData).reviewer_id === reviewerId) as (AnyEvent & { data: DirectoryReviewerChangedData })[];
  };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        told.push({ path: req.url ?? '', text: (JSON.parse(raw) as { text: string }).text });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    env = await newEnv();
    writeFileSync(
      env.reviewersPath,
      `reviewers:
  - { id: grace, name: Grace, roles: [], workspaces: [acme-support, globex-billing], admin: true, token_env: REVIEWER_TOKEN_GRACE }
  - { id: hana, name: Hana, roles: [support_agent], workspaces: [acme-support], admin: true, token_env: REVIEWER_TOKEN_HANA }
  - { id: dana, name: Dana, roles: [finance_lead], workspaces: [acme-support], notify: { webhook: "${hookUrl}/people/dana" } }
  - { id: omar, name: Omar, roles: [finance_lead], workspaces: [acme-support] }
`,
    );
    Object.assign(env.vars, { REVIEWER_TOKEN_GRACE: TOKENS.grace, REVIEWER_TOKEN_HANA: TOKENS.hana, NOTIFY_POLL_INTERVAL_MS: '100' });
    service = new EscalationProcess(env);
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    await new Promise((done) => server?.close(done));
    if (env) await dropEnv(env);
  });

  it('the reviewers file at start is on the record: each reviewer added by the reviewers file, in each of their workspaces', async () => {
    const grace = inOrder(await changesOf('grace', 2));
    expect(grace.map((e) => [e.workspaceid, e.data.change, e.data.changed_by])).toEqual([
      ['acme-support', 'added', 'reviewers file'],
      ['globex-billing', 'added', 'reviewers file'],
    ]);
    expect(new Set(grace.map((e) => e.subject))).toEqual(new Set([grace[0].data.change_id])); // one change, two copies
  });

  it.each([
    ['widen their own roles (PATCH)', 'PATCH', { roles: ['finance_lead'] }, 'adds role finance_lead'],
    ['widen their own workspaces (PATCH)', 'PATCH', { workspaces: ['*'] }, 'adds workspace *'],
    [
      'widen their own roles (PUT)',
      'PUT',
      { name: 'Grace', roles: ['team_lead'], workspaces: ['acme-support', 'globex-billing'], admin: true },
      'adds role team_lead',
    ],
    ['make themselves an auditor', 'PATCH', { auditor: true }, 'makes them an auditor'],
  ])('an admin may not %s: 403 self_widening, and nothing changes', async (_name, method, body, words) => {
    const before = await admin('GET', '/reviewers/grace');
    const answer = await admin(method, '/reviewers/grace', body);
    expect(answer).toMatchObject({ status: 403, body: { code: 'self_widening', message: expect.stringContaining(words) } });
    expect(await admin('GET', '/reviewers/grace')).toEqual(before);
  });

  it('an admin may narrow themselves, and widen another admin, whose grant it then is', async () => {
    expect((await call('PATCH', '/reviewers/hana', TOKENS.hana, { available: false })).status).toBe(200);
    const widened = await admin('PATCH', '/reviewers/hana', { roles: ['support_agent', 'finance_lead'] });
    expect(widened).toMatchObject({ status: 200, body: { roles: ['support_agent', 'finance_lead'], granted_by: 'grace' } });
    // Narrowing one's own roles grants nothing: the grant stays grace's.
    const narrowed = await call('PATCH', '/reviewers/hana', TOKENS.hana, { roles: ['finance_lead'] });
    expect(narrowed).toMatchObject({ status: 200, body: { roles: ['finance_lead'], granted_by: 'grace' } });
  });

  it('every change through the admin API is a signed event per workspace it touches, written with the change, never with a token', async () => {
    const created = await admin('PUT', '/reviewers/rev-new', { name: 'Nora', roles: ['support_agent'], workspaces: ['acme-support', 'globex-billing'] });
    expect(created.status).toBe(201);
    expect((await admin('PATCH', '/reviewers/rev-new', { workspaces: ['globex-billing'], aliases: ['nora@example.com'] })).status).toBe(200);
    const issued = await admin('POST', '/reviewers/rev-new/token');
    expect(issued.status).toBe(201);
    expect((await admin('DELETE', '/reviewers/rev-new')).status).toBe(204);

    const events = inOrder(await changesOf('rev-new', 6));
    expect(events.map((e) => `${e.data.change} ${e.workspaceid}`)).toEqual([
      'added acme-support',
      'added globex-billing',
      'updated acme-support', // she leaves acme-support: its auditors see her go
      'updated globex-billing',
      'token_issued globex-billing',
      'removed globex-billing',
    ]);
    for (const event of events) {
      expect(event).toMatchObject({ type: DIRECTORY_REVIEWER_CHANGED, source: 'hitl/escalation', data: { changed_by: 'grace', reviewer_id: 'rev-new' } });
      // Signed by the escalation service, as the contract's table says.
      const decoded = decodeEvent('directory.changed', JSON.stringify(event));
      expect(decoded.ok && testTrust().keyring.verify(decoded.raw, decoded.event)).toMatchObject({
        ok: true,
        signer: { kind: 'service', service: 'escalation' },
      });
    }
    const updated = events.find((e) => e.data.change === 'updated')!;
    expect(updated.data.before).toMatchObject({ workspaces: ['acme-support', 'globex-billing'], aliases: [] });
    expect(updated.data.after).toMatchObject({ workspaces: ['globex-billing'], aliases: ['nora@example.com'], granted_by: 'grace' });
    const tokenIssued = events.find((e) => e.data.change === 'token_issued')!;
    expect(tokenIssued.data).toMatchObject({ before: { can_sign_in: false }, after: { can_sign_in: true } });
    const bytes = JSON.stringify(events);
    expect(bytes).not.toContain(issued.body.token);
    expect(bytes).not.toContain(sha256(issued.body.token));
  });

  it('a change is written with the change: a refused one leaves no event', async () => {
    await admin('PATCH', '/reviewers/grace', { roles: ['finance_lead'] }); // refused above: self_widening
    const events = await changesOf('grace', 2);
    expect(events.map((e) => e.data.change)).toEqual(['added', 'added']);
  });

  it('a token issued for a reviewer is shown once and told to them on their own channel', async () => {
    const issued = await admin('POST', '/reviewers/dana/token');
    expect(issued).toMatchObject({ status: 201, body: { id: 'dana', token: expect.any(String) } });
    const message = await eventually('dana told on her own channel', () => told.find((t) => t.path === '/people/dana'), { timeoutMs: 20_000 });
    expect(message.text).toContain('grace issued a new hitl sign-in token for Dana');
    expect(message.text).not.toContain(issued.body.token);
    expect(await changesOf('dana', 2)).toEqual(
      expect.arrayContaining([expect.objectContaining({ data: expect.objectContaining({ change: 'token_issued' }) })]),
    );
  });

  it('a token issued for a reviewer without a channel of their own: a log line says nobody could be told', async () => {
    expect((await admin('POST', '/reviewers/omar/token')).status).toBe(201);
    const line = await eventually(
      'the warning about omar in the log',
      () => service.output.split('\n').find((l) => l.includes('nobody could be told') && l.includes('"reviewer":"omar"')),
      { timeoutMs: 10_000 },
    );
    expect(JSON.parse(line)).toMatchObject({ level: 'warn', reviewer: 'omar', by: 'grace' });
    const [{ n }] = await query<{ n: number }>("SELECT count(*)::int AS n FROM escalation.notifications WHERE reviewer_id = 'omar'", [], env.databaseUrl);
    expect(n).toBe(0);
  });
});
