// The audit's query API on the real broker and database: auditors read their workspaces'
// record (timeline, search, export), verify it, export a signed head and check it, and
// retention trims a chain that still verifies. The service runs in-process on its own
// schema and topic prefix; the CLI runs as a real process against it.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnyEvent, EventType, exampleEvent, payloadHash, topicOf } from '@hitl/contracts';
import { INestApplication } from '@nestjs/common';
import { CSV_COLUMNS } from '../src/query/csv';
import { startServiceApp } from '@hitl/service-kit';
import { httpCall, query, runCli, sendMessages, signed } from '@hitl/testing';
import { AuditRun } from './support/audit-run';

const run = new AuditRun('audq');
const { schema, prefix, kafka } = run;
const SECRET = '4111111111111111';

const TOKENS = { acme: 'acme-auditor-token-0123456789', globex: 'globex-auditor-token-0123456789', all: 'all-auditor-token-0123456789' };
const AUDITORS = `
auditors:
  - { id: aud-acme, name: Acme auditor, workspaces: [acme-support], token_env: AUDITOR_TOKEN_ACME }
  - { id: aud-globex, name: Globex auditor, workspaces: [globex], token_env: AUDITOR_TOKEN_GLOBEX }
  - { id: aud-all, name: Compliance, workspaces: ["*"], token_env: AUDITOR_TOKEN_ALL }
`;

let app: INestApplication;
let url: string;

async function startAudit(): Promise<void> {
  writeFileSync(join(run.dir, 'auditors.yaml'), AUDITORS);
  const config = run.config({
    AUDITORS_PATH: join(run.dir, 'auditors.yaml'),
    AUDITOR_TOKEN_ACME: TOKENS.acme,
    AUDITOR_TOKEN_GLOBEX: TOKENS.globex,
    AUDITOR_TOKEN_ALL: TOKENS.all,
    AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    // acme-support's rows are due one second after they are recorded; globex keeps its own forever.
    AUDIT_RETENTION: 'acme-support=1s',
    AUDIT_RETENTION_INTERVAL_MS: '0',
  });
  ({ app, url } = await run.start(config));
}

const produce = (events: AnyEvent[]) =>
  sendMessages(
    kafka,
    events.map((e) => ({ topic: `${prefix}${topicOf(e.type)}`, key: e.subject, value: JSON.stringify(signed(e)) })),
  );

const base = Date.now() - 3_600_000;
const at = (second: number) => new Date(base + second * 1_000).toISOString();

/** One event of the contract about `decisionId`, at `second`, with a card number wherever it carries parameters. */
function event(
  type: EventType,
  decisionId: string,
  second: number,
  options: { workspace?: string; change?: (data: Record<string, unknown>) => void } = {},
): AnyEvent {
  const e = exampleEvent(type, { id: randomUUID(), workspaceid: options.workspace ?? 'acme-support' }) as AnyEvent;
  e.subject = decisionId;
  e.time = at(second);
  const data = e.data as Record<string, unknown> & {
    parameters?: Record<string, unknown>;
    decision?: Record<string, unknown> & { parameters: Record<string, unknown> };
  };
  data.decision_id = decisionId;
  if (data.parameters) data.parameters = { ...data.parameters, card_number: SECRET };
  if (data.decision) data.decision = { ...data.decision, decision_id: decisionId, parameters: { ...data.decision.parameters, card_number: SECRET } };
  if (typeof data.payload_hash === 'string') data.payload_hash = payloadHash('process_refund', data.parameters ?? data.decision?.parameters ?? {});
  options.change?.(data);
  return e;
}

// Decision A: its whole life in acme-support, one step a second (sent out of order).
const A = randomUUID();
const lifeOfA: AnyEvent[] = [
  event('hitl.decision.proposed.v1', A, 0),
  event('hitl.approval.requested.v1', A, 1),
  event('hitl.approval.assigned.v1', A, 2),
  event('hitl.approval.escalated.v1', A, 3),
  event('hitl.approval.clarification_requested.v1', A, 4),
  event('hitl.approval.clarification_provided.v1', A, 5),
  event('hitl.approval.resolved.v1', A, 6),
  event('hitl.action.executed.v1', A, 7),
  event('hitl.outcome.labeled.v1', A, 8),
];
// Decision B: another agent's, denied by rev-bob, in acme-support.
const B = randomUUID();
const lifeOfB: AnyEvent[] = [
  event('hitl.decision.proposed.v1', B, 20, { change: (d) => Object.assign(d, { agent: { ...(d.agent as object), id: 'other-bot' } }) }),
  event('hitl.approval.resolved.v1', B, 21, {
    change: (d) =>
      Object.assign(d, {
        status: 'denied',
        resolved_by: { kind: 'reviewer', id: 'rev-bob' },
        reasons: [{ rule: 'reviewer_denied', detail: 'a "duplicate", of ORD-1' }],
        chosen_option: null,
      }),
  }),
];
// Decision G: in globex.
const G = randomUUID();
const lifeOfG: AnyEvent[] = [
  event('hitl.decision.proposed.v1', G, 30, { workspace: 'globex' }),
  event('hitl.approval.requested.v1', G, 31, { workspace: 'globex' }),
];
const everything = [...lifeOfA, ...lifeOfB, ...lifeOfG];
const acmeIds = [...lifeOfA, ...lifeOfB].map((e) => e.id);

/** A call to the audit as `token`; `body`: the answer as JSON (null when it is none). */
async function call(method: string, path: string, token?: string, payload?: unknown) {
  const answer = await httpCall(`${url}${path}`, { method, token, body: payload });
  return { ...answer, body: answer.json };
}
const get = (path: string, token?: string) => call('GET', path, token);
const post = (path: string, token: string, payload?: unknown) => call('POST', path, token, payload);

/** Every page of a search, following next_cursor. */
async function allPages(query: string, token: string): Promise<{ pages: number; items: any[] }> {
  const items: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await get(`/audit/events?${query}${cursor ? `&cursor=${cursor}` : ''}`, token);
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.next_cursor;
    pages += 1;
  } while (cursor);
  return { pages, items };
}

/** A whole CSV text as rows of fields (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i += 1;
    } else if (quoted && c === '"') quoted = false;
    else if (quoted) field += c;
    else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += c;
  }
  return rows;
}

describe('the audit query API, end to end', () => {
  beforeAll(async () => {
    await startAudit();
    await produce([...everything].reverse());
    await run.waitForRecorded(
      `SELECT count(*)::int AS n FROM "${schema}".events WHERE event_id = ANY($1::text[])`,
      [everything.map((e) => e.id)],
      everything.length,
    );
  });

  afterAll(() => run.tearDown(app));

  it('asks for an auditor token: 401 without one or with one it does not know', async () => {
    expect((await get(`/audit/decisions/${A}/timeline`)).body).toMatchObject({ statusCode: 401, code: 'token_missing' });
    expect((await get(`/audit/events`, 'not-a-token-of-anyone')).body).toMatchObject({ statusCode: 401, code: 'token_unknown' });
  });

  it("gives a decision's whole timeline, in order, each step with who, what, when and why", async () => {
    const { status, body, text } = await get(`/audit/decisions/${A}/timeline`, TOKENS.acme);
    expect(status).toBe(200);
    expect(body.decision_id).toBe(A);
    expect(body.workspaces).toEqual(['acme-support']);
    expect(body.steps.map((s: { step: string }) => s.step)).toEqual([
      'proposed',
      'routed',
      'assigned',
      'escalated',
      'clarification_requested',
      'clarified',
      'resolved',
      'executed',
      'labeled',
    ]);
    expect(body.steps.map((s: { event_id: string }) => s.event_id)).toEqual(lifeOfA.map((e) => e.id));
    expect(body.steps.map((s: { time: string }) => s.time)).toEqual(lifeOfA.map((e) => e.time));
    expect(body.steps[0]).toMatchObject({
      type: 'hitl.decision.proposed.v1',
      actor: { kind: 'agent', id: 'refund-bot' },
      action: 'process_refund',
      workspace: 'acme-support',
    });
    expect(body.steps[1]).toMatchObject({
      manifest_version: 'sha256:3f1a9c',
      summary: expect.stringContaining('routed to human_review by manifest sha256:3f1a9c: confidence_below_auto_approve'),
    });
    expect(body.steps[2].summary).toBe('assigned to rev-alice (support_agent, tier 0), SLA 2026-11-22T10:00:00Z');
    expect(body.steps[3].summary).toContain('escalated from support_agent to the finance_lead queue');
    expect(body.steps[6]).toMatchObject({
      actor: { kind: 'reviewer', id: 'rev-alice' },
      summary: expect.stringMatching(/^approved by reviewer rev-alice: reviewer_approved/),
    });
    expect(body.steps[6].event.data.parameters.card_number).toBe('[REDACTED]');
    expect(text).not.toContain(SECRET);
    // Every step was signed by its rightful producer, and says so.
    expect(body.steps.map((s: { status: string; verified: boolean; refusal: string | null }) => [s.status, s.verified, s.refusal])).toEqual(
      lifeOfA.map(() => ['verified', true, null]),
    );
    expect(body.steps[6].signer).toBe('service:escalation');
    expect(body.resolution).toMatchObject({
      event_id: lifeOfA[6].id,
      status: 'approved',
      resolved_by: { kind: 'reviewer', id: 'rev-alice' },
      signer: 'service:escalation',
    });
  });

  it('answers 403 for a decision of another workspace, 404 for one it never saw, 400 for an id that is not one', async () => {
    expect((await get(`/audit/decisions/${A}/timeline`, TOKENS.globex)).body).toMatchObject({ statusCode: 403, code: 'wrong_workspace' });
    expect((await get(`/audit/decisions/${G}/timeline`, TOKENS.acme)).status).toBe(403);
    expect((await get(`/audit/decisions/${G}/timeline`, TOKENS.all)).status).toBe(200);
    expect((await get(`/audit/decisions/${randomUUID()}/timeline`, TOKENS.acme)).body).toMatchObject({ statusCode: 404, code: 'decision_not_found' });
    const bad = await get(`/audit/decisions/not-a-uuid/timeline`, TOKENS.acme);
    expect(bad.body).toMatchObject({
      statusCode: 400,
      code: 'invalid_request',
      message: 'invalid path parameter: decision_id: must be a decision id (a UUID)',
    });
  });

  it('searches by agent, action, reviewer, status, type and time, in one workspace', async () => {
    const ids = async (query: string, token = TOKENS.acme) => (await allPages(query, token)).items.map((i: { event_id: string }) => i.event_id);
    const [pA, rqA, , , crA, cpA, rsA, , lbA] = lifeOfA.map((e) => e.id);
    const [pB, rsB] = lifeOfB.map((e) => e.id);
    // The acme auditor reads one workspace, so it need not be named.
    expect(await ids('')).toEqual(acmeIds);
    expect(await ids('agent=refund-bot')).toEqual([pA, rqA, cpA]);
    expect(await ids('agent=other-bot')).toEqual([pB]);
    expect(await ids('reviewer=rev-alice')).toEqual([crA, rsA]);
    expect(await ids('reviewer=rev-carol')).toEqual([lbA]);
    expect(await ids('status=approved')).toEqual([rsA]);
    expect(await ids('status=denied&reviewer=rev-bob')).toEqual([rsB]);
    expect(await ids('type=hitl.decision.proposed.v1')).toEqual([pA, pB]);
    expect(await ids(`from=${encodeURIComponent(at(4))}&to=${encodeURIComponent(at(7))}`)).toEqual([crA, cpA, rsA]);
    expect(await ids('action=issue_goodwill_credit')).toEqual([]);
    expect(await ids('workspace=globex', TOKENS.all)).toEqual(lifeOfG.map((e) => e.id));
  });

  it('pages with an opaque cursor, every row once, in order', async () => {
    const { pages, items } = await allPages('limit=3', TOKENS.acme);
    expect(pages).toBe(Math.ceil(acmeIds.length / 3));
    expect(items.map((i: { event_id: string }) => i.event_id)).toEqual(acmeIds);
    const last = await get(`/audit/events?limit=${acmeIds.length}`, TOKENS.acme);
    expect(last.body.next_cursor).toBeNull();
  });

  it('refuses another workspace with 403, and a malformed query with 400 naming the parameter and why', async () => {
    expect((await get('/audit/events?workspace=globex', TOKENS.acme)).body).toMatchObject({ statusCode: 403, code: 'wrong_workspace' });
    expect((await get('/audit/export?workspace=globex', TOKENS.acme)).status).toBe(403);
    const cases: [string, string][] = [
      ['limit=501', 'invalid query: limit: must be a whole number from 1 to 500'],
      ['from=yesterday', 'invalid query: from: must be an RFC 3339 time with a zone'],
      [`from=${encodeURIComponent(at(5))}&to=${encodeURIComponent(at(1))}`, 'invalid query: to: must be later than from'],
      ['status=maybe', 'invalid query: status: must be one of approved, denied, blocked, expired'],
      ['cursor=garbage', 'invalid query: cursor: is not a cursor of this API'],
      ['agnet=refund-bot', 'invalid query: agnet: unknown parameter'],
      ['agent=a&agent=b', 'invalid query: agent: must be given once'],
    ];
    for (const [query, message] of cases) {
      const answer = await get(`/audit/events?${query}`, TOKENS.acme);
      expect({ query, status: answer.status, message: answer.body.message }).toEqual({ query, status: 400, message: expect.stringContaining(message) });
    }
    // The auditor of every workspace must say which one.
    expect((await get('/audit/events', TOKENS.all)).body).toMatchObject({ statusCode: 400, message: expect.stringContaining('workspace: is required') });
    expect((await get('/audit/export?format=xml', TOKENS.acme)).body.message).toContain('format: must be ndjson or csv');
  });

  it('exports NDJSON: one row a line, as search gives it, the secret nowhere', async () => {
    const { status, type, text } = await get('/audit/export?format=ndjson', TOKENS.acme);
    expect(status).toBe(200);
    expect(type).toBe('application/x-ndjson; charset=utf-8');
    expect(text.endsWith('\n')).toBe(true);
    const rows = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.map((r) => r.event_id)).toEqual(acmeIds);
    expect(rows[0]).toEqual((await get('/audit/events?limit=1', TOKENS.acme)).body.items[0]);
    expect(text).not.toContain(SECRET);
    const filtered = await get(`/audit/export?agent=other-bot`, TOKENS.acme);
    expect(
      filtered.text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).event_id),
    ).toEqual([lifeOfB[0].id]);
  });

  it('exports CSV: a header row, quoting that survives commas, quotes and JSON, the secret nowhere', async () => {
    const { status, type, text } = await get('/audit/export?format=csv', TOKENS.acme);
    expect(status).toBe(200);
    expect(type).toBe('text/csv; charset=utf-8');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows.map((r) => r[header.indexOf('event_id')])).toEqual(acmeIds);
    const denial = rows.find((r) => r[header.indexOf('event_id')] === lifeOfB[1].id)!;
    expect(denial[header.indexOf('summary')]).toBe('denied by reviewer rev-bob: reviewer_denied (a "duplicate", of ORD-1)');
    expect(JSON.parse(denial[header.indexOf('event')]).data.reasons[0].detail).toBe('a "duplicate", of ORD-1');
    expect(text).not.toContain(SECRET);
  });

  it('never stored the secret: the table holds it redacted only', async () => {
    const [{ n }] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".events WHERE event::text LIKE $1`, [`%${SECRET}%`]);
    expect(n).toBe(0);
    const [{ redacted }] = await query<{ redacted: number }>(`SELECT count(*)::int AS redacted FROM "${schema}".events WHERE event::text LIKE '%[REDACTED]%'`);
    expect(redacted).toBeGreaterThan(0);
  });

  let exportedHead: any;

  it('verifies the chains of the workspaces the token reads', async () => {
    const acme = await get('/audit/verify', TOKENS.acme);
    expect(acme.body).toMatchObject({ ok: true, workspaces: [{ workspace: 'acme-support', ok: true, checked: acmeIds.length, first_break: null }] });
    const all = await get('/audit/verify', TOKENS.all);
    expect(all.body.workspaces.map((w: { workspace: string }) => w.workspace)).toEqual(['acme-support', 'globex']);
    expect((await get('/audit/verify?workspace=acme-support', TOKENS.globex)).status).toBe(403);
  });

  it('exports a signed head, and checks it: the record only grew', async () => {
    const head = await get('/audit/head', TOKENS.acme);
    expect(head.status).toBe(200);
    expect(head.body).toEqual({
      workspace: 'acme-support',
      chain_index: acmeIds.length,
      hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      exported_at: expect.any(String),
      signature: expect.any(String),
    });
    exportedHead = head.body;
    expect((await post('/audit/head/check', TOKENS.acme, { head: exportedHead })).body).toEqual({
      ok: true,
      reason: expect.stringContaining('the record only grew'),
    });
    const forged = await post('/audit/head/check', TOKENS.acme, { head: { ...exportedHead, chain_index: 1 } });
    expect(forged.body).toEqual({ ok: false, reason: expect.stringContaining('signature does not match') });
    expect((await post('/audit/head/check', TOKENS.acme, { head: { ...exportedHead, chain_index: 'x' } })).body.message).toContain(
      'head.chain_index: must be a whole number',
    );
    expect((await post('/audit/head/check', TOKENS.globex, { head: exportedHead })).status).toBe(403);
    expect((await get('/audit/head/key', TOKENS.acme)).body.public_key).toContain('BEGIN PUBLIC KEY');
  });

  it('documents every route in /openapi.json', async () => {
    const { paths } = (await get('/openapi.json')).body;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/audit/decisions/{decision_id}/timeline',
        '/audit/events',
        '/audit/export',
        '/audit/verify',
        '/audit/head',
        '/audit/head/check',
        '/audit/retention/run',
      ]),
    );
    expect(paths['/audit/events'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['workspace', 'agent', 'status', 'from', 'limit', 'cursor']),
    );
  });

  it('does not start with an invalid auditors file, naming the auditor and the field', async () => {
    writeFileSync(join(run.dir, 'bad-auditors.yaml'), 'auditors:\n  - { id: aud-x, name: X, workspaces: [], token_env: AUDITOR_TOKEN_ACME }\n');
    const config = run.config({ LOG_LEVEL: 'silent', AUDITORS_PATH: join(run.dir, 'bad-auditors.yaml'), AUDITOR_TOKEN_ACME: TOKENS.acme });
    const other = await run.create(config);
    try {
      await expect(startServiceApp(other, config)).rejects.toThrow('auditors[0] (aud-x).workspaces: must list at least one workspace');
    } finally {
      await other.close();
    }
  });

  it('`hitl audit verify` against the running service exits 0', async () => {
    const run = await runCli(['audit', 'verify', '--url', url], { AUDITOR_TOKEN: TOKENS.all });
    expect(run.stdout).toContain(`acme-support: ok, ${acmeIds.length} rows checked`);
    expect(run.stdout).toContain('globex: ok, 2 rows checked');
    expect(run.code).toBe(0);
    const refused = await runCli(['audit', 'verify', '--url', url, '--workspace', 'globex', '--token', TOKENS.acme], {});
    expect(refused.stderr).toContain('answered 403');
    expect(refused.code).toBe(2);
  });

  it('retention removes what is due, records it in the chain, and the chain still verifies', async () => {
    expect((await post('/audit/retention/run', TOKENS.acme)).body).toMatchObject({ statusCode: 403, code: 'admin_only' });
    await new Promise((r) => setTimeout(r, 1_100));
    const run = await post('/audit/retention/run', TOKENS.all);
    expect(run.status).toBe(200);
    expect(run.body.workspaces).toEqual([
      { workspace: 'acme-support', retention: '1s', removed_count: acmeIds.length, removed_through_chain_index: acmeIds.length, refused: null },
      { workspace: 'globex', retention: null, removed_count: 0, removed_through_chain_index: null, refused: null },
    ]);

    const verified = await get('/audit/verify', TOKENS.all);
    expect(verified.body).toMatchObject({
      ok: true,
      workspaces: [
        { workspace: 'acme-support', ok: true, checked: 1 },
        { workspace: 'globex', ok: true, checked: 2 },
      ],
    });
    const records = await get('/audit/events?type=hitl.audit.retention.v1', TOKENS.acme);
    expect(records.body.items).toEqual([
      expect.objectContaining({
        chain_index: acmeIds.length + 1,
        actor: { kind: 'system', id: 'hitl/audit-retention' },
        event: expect.objectContaining({ removed_through_chain_index: acmeIds.length, removed_count: acmeIds.length, older_than: expect.any(String) }),
      }),
    ]);
    expect((await get(`/audit/decisions/${A}/timeline`, TOKENS.acme)).status).toBe(404);
    expect(await query(`SELECT workspace, chain_index::int AS chain_index, hash FROM "${schema}".chain_checkpoints`)).toEqual([
      { workspace: 'acme-support', chain_index: acmeIds.length, hash: exportedHead.hash },
    ]);

    // The head exported before is the checkpoint now: it still proves the record only grew; so does a new one.
    expect((await post('/audit/head/check', TOKENS.acme, { head: exportedHead })).body.ok).toBe(true);
    const newHead = (await get('/audit/head', TOKENS.acme)).body;
    expect(newHead.chain_index).toBe(acmeIds.length + 1);
    expect((await post('/audit/head/check', TOKENS.acme, { head: newHead })).body.ok).toBe(true);
    // Once due itself, the first run's record goes the same way, and the next one says so.
    await new Promise((r) => setTimeout(r, 1_100));
    const again = await post('/audit/retention/run', TOKENS.all);
    expect(again.body.workspaces[0]).toMatchObject({ workspace: 'acme-support', removed_count: 1, removed_through_chain_index: acmeIds.length + 1 });
    expect((await get('/audit/verify?workspace=acme-support', TOKENS.acme)).body).toMatchObject({
      ok: true,
      workspaces: [{ checked: 1, head: { chain_index: acmeIds.length + 2 } }],
    });
  });
});
