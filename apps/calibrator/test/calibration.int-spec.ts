// The calibrator end to end on the real broker and database: a synthetic agent that says
// 0.95-0.99 but is right 60% of the time, its resolutions and labels (duplicates and
// labels of decisions never seen among them) published with plain kafkajs, each signed as
// its producer would; forged and wrongly signed ones beside them, which are refused; then a
// report on demand, by the schedule and by `hitl calibrate`.
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AnyEvent, SigningKey, generateSigningKey, signEvent } from '@hitl/contracts';
import { createServiceApp, loadConfig, startServiceApp } from '@hitl/service-kit';
import {
  LIMITED_AGENT,
  TEST_LABELER,
  consumersCaughtUp,
  deleteTopicsStartingWith,
  eventually,
  httpCall,
  idempotentProducer,
  inProcessEnv,
  query,
  readWholeTopic,
  runCli,
  signed,
  testTrust,
} from '@hitl/testing';
import { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { nextSlot } from '../src/schedule/cron';
import { SCHEDULE_NAME, SchedulePoller } from '../src/schedule/schedule.poller';
import { calibratorService } from '../src/service';
import { Decision, RawEvent, labeled, proposed, requested, resolved } from './support/raw-events';
import { xmlProblem } from './support/well-formed-xml';

const root = resolve(__dirname, '../../..');
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'calibrator-test', brokers, logLevel: logLevel.NOTHING });
const TOPICS = ['decision.proposed', 'approval.requested', 'approval.resolved', 'outcome.labeled'];
const MANIFEST = resolve(root, 'manifests/refunds.yaml');

// config/auditors.yaml: aud-compliance reads every workspace, aud-ines only acme-support.
const COMPLIANCE = `compliance-${randomBytes(12).toString('hex')}`;
const INES = `ines-${randomBytes(12).toString('hex')}`;

const id = randomBytes(4).toString('hex');
const run = { schema: `t_calibrator_${id}`, prefix: `t-calibrator-${id}.` };
let app: INestApplication;
let base: string;

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

// The synthetic fleet's agents are not in the test registry: they get keys of their own, in
// a registry beside it that also lists the test labeler and the agent limited to acme-support.
const trust = testTrust();
const fleetKeys = new Map(['overconfident-bot', 'careful-bot', 'credit-bot'].map((agent) => [agent, generateSigningKey()]));
const registryPath = join(mkdtempSync(join(tmpdir(), 'hitl-calibrator-agents-')), 'agents.yaml');
writeFileSync(
  registryPath,
  [
    'agents:',
    ...[...fleetKeys].flatMap(([agent, key]) => [`  - id: ${agent}`, '    workspaces: ["*"]', `    keys: [${JSON.stringify(key.jwk)}]`]),
    `  - id: ${LIMITED_AGENT}`,
    '    workspaces: [acme-support]',
    `    keys_file: ${join(trust.dir, `${LIMITED_AGENT}.jwks.json`)}`,
    'labelers:',
    `  - id: ${TEST_LABELER}`,
    '    workspaces: ["*"]',
    `    keys_file: ${join(trust.dir, `${TEST_LABELER}.jwks.json`)}`,
    '',
  ].join('\n'),
);

/** Signed as its producer would: proposals by their agent, labels by the labeler, the rest by the router or the escalation service. */
function signedAsProducer(e: RawEvent): object {
  const event = e as unknown as AnyEvent;
  if (event.type === 'hitl.decision.proposed.v1') return signEvent(event, fleetKeys.get(event.data.agent.id)!.key);
  return signed(event, event.type === 'hitl.outcome.labeled.v1' ? TEST_LABELER : undefined);
}

async function publishBytes(topic: string, messages: { key: string; value: string }[]): Promise<void> {
  const producer = idempotentProducer(kafka);
  await producer.connect();
  await producer.send({ topic: `${run.prefix}${topic}`, acks: -1, messages });
  await producer.disconnect();
}

const publish = (topic: string, events: RawEvent[]) =>
  publishBytes(
    topic,
    events.map((e) => ({ key: e.subject, value: JSON.stringify(signedAsProducer(e)) })),
  );

/** Waits until the calibrator's group has committed up to the end of every topic it reads. */
const settled = () =>
  eventually('the calibrator to catch up', () => consumersCaughtUp(kafka, [[`${run.prefix}hitl-calibrator`, TOPICS.map((name) => `${run.prefix}${name}`)]]), {
    timeoutMs: 60_000,
    everyMs: 200,
  });

/** A call to the calibrator, as the compliance auditor unless `token` says otherwise (null: no token). */
const http = (method: string, path: string, options: { token?: string | null; body?: unknown } = {}) =>
  httpCall(`${base}${path}`, { method, token: options.token === undefined ? COMPLIANCE : options.token, body: options.body });

function gitApplyCheck(patch: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const child = execFile('git', ['apply', '--check', '-'], { cwd: root }, (error, _stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
    child.stdin!.end(patch);
  });
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// The synthetic fleet. overconfident-bot: 300 refunds at 0.95-0.99, right exactly 180
// times; 250 auto-approved by policy, 50 reviewed (40 approved as they were, 6 edited,
// 4 denied). careful-bot: 60 refunds at 0.70-0.74, right 48 times, all reviewed and
// approved. Five goodwill credits known only from their resolution (no proposal seen).
const overconfident: Decision[] = Array.from({ length: 300 }, (_, i) => ({
  decisionId: randomUUID(),
  agent: 'overconfident-bot',
  action: 'process_refund',
  confidence: 0.95 + (i % 5) * 0.01,
}));
const careful: Decision[] = Array.from({ length: 60 }, (_, i) => ({
  decisionId: randomUUID(),
  agent: 'careful-bot',
  action: 'process_refund',
  confidence: 0.7 + (i % 5) * 0.01,
}));
const credits: Decision[] = Array.from({ length: 5 }, () => ({
  decisionId: randomUUID(),
  agent: 'credit-bot',
  action: 'issue_goodwill_credit',
  confidence: 0.85,
}));
const correctOverconfident = (i: number) => i % 10 < 6;
const correctCareful = (i: number) => i % 5 < 4;
const unknownDecisions = Array.from({ length: 7 }, () => randomUUID());

beforeAll(async () => {
  const config = loadConfig(calibratorService.config, {
    ...inProcessEnv(run.prefix),
    AUDITORS_PATH: resolve(root, 'config/auditors.yaml'),
    AUDITOR_TOKEN_COMPLIANCE: COMPLIANCE,
    AUDITOR_TOKEN_INES: INES,
    CALIBRATION_SCHEDULE_POLL_MS: '200',
    ...trust.env(),
    AGENTS_PATH: registryPath,
  });
  app = await createServiceApp({ ...calibratorService, schema: run.schema }, config);
  base = await startServiceApp(app, config);
});

afterAll(async () => {
  await app?.close();
  await query(`DROP SCHEMA IF EXISTS "${run.schema}" CASCADE`);
  await deleteTopicsStartingWith(kafka, run.prefix);
});

describe('calibration, end to end over the real broker and database', () => {
  let report: any;
  const manifestBefore = sha256(readFileSync(MANIFEST, 'utf8'));

  it('keeps every decision, resolution and label, whatever order they come in, each once', async () => {
    const labels: RawEvent[] = [
      ...overconfident.map((d, i) => labeled(d.decisionId, correctOverconfident(i), minutesAgo(10))),
      ...careful.map((d, i) => labeled(d.decisionId, correctCareful(i), minutesAgo(10))),
      ...credits.map((d) => labeled(d.decisionId, true, minutesAgo(10))),
      ...unknownDecisions.map((decisionId) => labeled(decisionId, false, minutesAgo(10))),
    ];
    // Duplicates: 20 labels delivered twice (same event), 10 decisions first labeled the
    // other way and relabeled later, a decision never seen labeled twice.
    const relabeled = overconfident.slice(0, 10).map((d, i) => labeled(d.decisionId, !correctOverconfident(i), minutesAgo(20)));
    const duplicates = [...labels.slice(100, 120), ...relabeled, labeled(unknownDecisions[0], true, minutesAgo(30))];
    // Labels and resolutions first, proposals last: the calibrator must not need them in order.
    await publish('outcome.labeled', [...labels, ...duplicates]);
    await publish('approval.resolved', [
      ...overconfident.slice(0, 250).map((d) => resolved(d, minutesAgo(55), { by: 'policy' })),
      ...overconfident
        .slice(250)
        .map((d, i) =>
          resolved(d, minutesAgo(50), { by: 'reviewer', approvalId: randomUUID(), status: i < 4 ? 'denied' : 'approved', edited: i >= 4 && i < 10 }),
        ),
      ...careful.map((d) => resolved(d, minutesAgo(50), { by: 'reviewer', approvalId: randomUUID(), status: 'approved', edited: false })),
      ...credits.map((d) => resolved(d, minutesAgo(55), { by: 'policy' })),
    ]);
    await publish(
      'approval.requested',
      [...overconfident.slice(250), ...careful].map((d) => requested(d, randomUUID(), minutesAgo(59))),
    );
    const proposals = [...overconfident, ...careful].map((d) => proposed(d, minutesAgo(60)));
    // A copy of ten proposals with new event ids (an agent retrying): the first stands.
    await publish('decision.proposed', [...proposals, ...proposals.slice(0, 10).map((p) => ({ ...p, id: randomUUID(), time: minutesAgo(1).toISOString() }))]);
    await settled();

    const verdicts = await query<{ routed_verdict: string; agent_id: string; n: number }>(
      `SELECT routed_verdict, agent_id, count(*)::int AS n FROM "${run.schema}".decisions GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(verdicts).toEqual([
      { routed_verdict: 'auto_approve', agent_id: 'overconfident-bot', n: 250 },
      { routed_verdict: 'human_review', agent_id: 'careful-bot', n: 60 },
      { routed_verdict: 'human_review', agent_id: 'overconfident-bot', n: 50 },
    ]);
    const [first] = await query<{ proposed_at: Date; proposal: { agent: { id: string } } }>(
      `SELECT proposed_at, proposal FROM "${run.schema}".decisions WHERE decision_id = $1`,
      [overconfident[0].decisionId],
    );
    expect(Date.now() - first.proposed_at.getTime()).toBeGreaterThan(59 * 60_000); // the first proposal's time, not the retry's
    expect(first.proposal.agent.id).toBe('overconfident-bot');
    const [{ labels: labelRows, unknown }] = await query<{ labels: number; unknown: number }>(
      `SELECT count(*)::int AS labels, (count(*) FILTER (WHERE decision_id = ANY ($1::uuid[])))::int AS unknown FROM "${run.schema}".labels`,
      [unknownDecisions],
    );
    expect([labelRows, unknown]).toEqual([365 + 7 + 10 + 1, 8]); // the 20 redelivered events once; labels of unknown decisions kept
  });

  it('never counts a forged or wrongly signed label or resolution: each is dead-lettered with its code and counted as refused', async () => {
    const attacker: SigningKey = generateSigningKey().key;
    // Each would change the report if it counted: a later label flipping an outcome, a label
    // of a decision never seen, a reviewer's denial of a decision the policy approved.
    const forgedLabel = labeled(careful[0].decisionId, !correctCareful(0), minutesAgo(1));
    const strangerLabel = labeled(unknownDecisions[1], true, minutesAgo(1));
    const otherWorkspaceLabel = { ...labeled(overconfident[11].decisionId, !correctOverconfident(11), minutesAgo(1)), workspaceid: 'globex' };
    const forgedResolution = resolved(overconfident[0], minutesAgo(1), { by: 'reviewer', approvalId: randomUUID(), status: 'denied', edited: false });
    const routerSignedReview = resolved(overconfident[1], minutesAgo(1), { by: 'reviewer', approvalId: randomUUID(), status: 'denied', edited: false });
    const before = await query<{ labels: number; resolutions: number }>(
      `SELECT (SELECT count(*)::int FROM "${run.schema}".labels) AS labels, (SELECT count(*)::int FROM "${run.schema}".resolutions) AS resolutions`,
    );

    await publishBytes('outcome.labeled', [
      { key: forgedLabel.subject, value: JSON.stringify(forgedLabel) },
      { key: strangerLabel.subject, value: JSON.stringify(signEvent(strangerLabel as unknown as AnyEvent, attacker)) },
      { key: otherWorkspaceLabel.subject, value: JSON.stringify(signed(otherWorkspaceLabel as unknown as AnyEvent, LIMITED_AGENT)) },
    ]);
    await publishBytes('approval.resolved', [
      { key: forgedResolution.subject, value: JSON.stringify(forgedResolution) },
      { key: routerSignedReview.subject, value: JSON.stringify(signed(routerSignedReview as unknown as AnyEvent, 'router')) },
    ]);
    await settled();

    const after = await query<{ labels: number; resolutions: number }>(
      `SELECT (SELECT count(*)::int FROM "${run.schema}".labels) AS labels, (SELECT count(*)::int FROM "${run.schema}".resolutions) AS resolutions`,
    );
    expect(after).toEqual(before);
    const refusedIds = [forgedLabel, strangerLabel, otherWorkspaceLabel].map((e) => e.id);
    expect(await query(`SELECT event_id FROM "${run.schema}".labels WHERE event_id = ANY($1::text[])`, [refusedIds])).toEqual([]);
    expect(
      await query(`SELECT decision_id FROM "${run.schema}".resolutions WHERE status = 'denied' AND decision_id = ANY($1::uuid[])`, [
        [overconfident[0].decisionId, overconfident[1].decisionId],
      ]),
    ).toEqual([]);

    // In the DLQs (through the outbox, so shortly after), with their codes and the calibrator's name.
    const letters = async (topic: string, wanted: number) => {
      const calibrators = async () =>
        (await readWholeTopic(kafka, `${run.prefix}${topic}.dlq`).catch(() => []))
          .map((m) => ({
            id: JSON.parse(m.value!.toString('utf8')).id as string,
            code: m.headers!['hitl-dlq-error-code']!.toString(),
            consumer: m.headers!['hitl-dlq-consumer']!.toString(),
            reason: m.headers!['hitl-dlq-error']!.toString(),
          }))
          .filter((l) => l.consumer === `${run.prefix}hitl-calibrator`);
      const found = await eventually(
        `${wanted} of the calibrator's letters on ${topic}.dlq`,
        async () => {
          const seen = await calibrators();
          return seen.length >= wanted && seen;
        },
        { timeoutMs: 30_000, everyMs: 200 },
      );
      return found.sort((a, b) => a.id.localeCompare(b.id));
    };
    const byId = (list: { id: string; code: string; reason: string }[]) => Object.fromEntries(list.map((l) => [l.id, [l.code, l.reason]]));
    expect(byId(await letters('outcome.labeled', 3))).toEqual({
      [forgedLabel.id]: ['unsigned', 'hitl.outcome.labeled.v1 must be signed (sigkid, sig)'],
      [strangerLabel.id]: ['signature_invalid', expect.stringMatching(/^key .* is not trusted$/)],
      [otherWorkspaceLabel.id]: ['signature_invalid', `agent "${LIMITED_AGENT}" may not act in workspace "globex"`],
    });
    expect(byId(await letters('approval.resolved', 2))).toEqual({
      [forgedResolution.id]: ['unsigned', 'hitl.approval.resolved.v1 must be signed (sigkid, sig)'],
      [routerSignedReview.id]: ['signature_invalid', 'a resolution by reviewer must be signed by the escalation service, not the router service'],
    });

    // Counted where operations look: the transport's refusal metric, by topic and code.
    const metrics = (await http('GET', '/metrics', { token: null })).text;
    const refusals = (topic: string, code: string) =>
      Number(
        new RegExp(
          `hitl_signature_refusals_total\\{topic="${topic}",code="${code}",consumer="${run.prefix.replace(/\./g, '\\.')}hitl-calibrator"\\} (\\d+)`,
        ).exec(metrics)?.[1],
      );
    expect([
      refusals('outcome.labeled', 'unsigned'),
      refusals('outcome.labeled', 'signature_invalid'),
      refusals('approval.resolved', 'unsigned'),
      refusals('approval.resolved', 'signature_invalid'),
    ]).toEqual([1, 2, 1, 1]);
  });

  it('POST /reports: the finding, the numbers, unknown outcomes counted, duplicates once, the suggested threshold', async () => {
    const created = await http('POST', '/reports', { body: {} });
    expect(created.status).toBe(201);
    report = created.json;
    expect(report).toMatchObject({
      trigger: 'request',
      requested_by: 'aud-compliance',
      workspace: null,
      window: { days: 30 },
      labeled_outcomes: 365,
      unknown_outcomes: 7,
      superseded_labels: 11,
    });

    const refunds = report.reports.find((r: any) => r.action === 'process_refund' && r.agent_id === null);
    expect(refunds.n).toBe(360);
    expect(refunds.buckets.map((b: any) => [b.bucket, b.n, b.actual, b.judged])).toEqual([
      [7, 60, 0.8, true],
      [9, 300, 0.6, true],
    ]);
    expect(refunds.buckets[1].stated).toBeCloseTo(0.97, 4);
    expect(refunds.intervention).toEqual({ approved_unchanged: 100, edited: 6, denied: 4, confirmed: 0, rolled_back: 0, rate: 0.0909 });
    expect(refunds.suggested_auto_approve_confidence).toBe('never');
    expect(report.findings.filter((f: any) => f.agent_id === null).map((f: any) => f.text)).toEqual([
      'overstates confidence at 0.9: actual 0.60 (stated 0.97, n=300)',
    ]);

    // Per agent, as each has 50+ outcomes of the action: the finding is the overconfident one's.
    const agents = report.reports.filter((r: any) => r.action === 'process_refund' && r.agent_id !== null);
    expect(agents.map((r: any) => [r.agent_id, r.n, r.findings.length])).toEqual([
      ['careful-bot', 60, 0],
      ['overconfident-bot', 300, 1],
    ]);
    expect(agents[1].intervention).toEqual({ approved_unchanged: 40, edited: 6, denied: 4, confirmed: 0, rolled_back: 0, rate: 0.2 });
    // Known only from their resolutions: reported with the confidence the resolutions carry.
    expect(report.reports.find((r: any) => r.action === 'issue_goodwill_credit')).toMatchObject({ agent_id: null, n: 5, accuracy: 1 });

    expect(report.suggestions).toEqual([
      expect.objectContaining({ action: 'process_refund', field: 'thresholds.auto_approve_confidence', from: 0.97, to: 'never' }),
    ]);
    expect((await http('GET', `/reports/${report.id}`)).json).toEqual(report);
  });

  it('the suggested diff: the manifest file, process_refund’s threshold with its evidence; it applies, and was not applied', async () => {
    const patch = await http('GET', `/reports/${report.id}/suggestions.patch`);
    expect(patch.status).toBe(200);
    expect(patch.type).toContain('text/x-diff');
    expect(patch.text).toContain('--- a/manifests/refunds.yaml\n+++ b/manifests/refunds.yaml\n');
    expect(patch.text).toContain('\n-    thresholds: { auto_approve_confidence: 0.97, escalate_confidence: 0.60 }\n');
    expect(patch.text).toMatch(
      /\n\+ {4}thresholds: \{ auto_approve_confidence: never, escalate_confidence: 0\.60 \} {2}# calibration of .*: overstates confidence at 0\.9: actual 0\.60/,
    );
    expect(await gitApplyCheck(patch.text)).toEqual({ code: 0, stderr: '' });
    expect(sha256(readFileSync(MANIFEST, 'utf8'))).toBe(manifestBefore);
  });

  it('the reliability diagram: well-formed SVG, a point per bucket with stated and actual', async () => {
    const svg = await http('GET', `/reports/${report.id}/diagram/process_refund.svg`);
    expect(svg.status).toBe(200);
    expect(svg.type).toContain('image/svg+xml');
    expect(svg.text.startsWith('<svg')).toBe(true);
    expect(xmlProblem(svg.text)).toBeNull();
    expect(svg.text.match(/<circle /g)).toHaveLength(2);
    expect(svg.text).toContain('<title>bucket 0.9-1.0: stated 0.97, actual 0.6, n=300</title>');
    expect(svg.text).toContain('<title>bucket 0.7-0.8: stated 0.72, actual 0.8, n=60</title>');
    expect((await http('GET', `/reports/${report.id}/diagram/wire_money.svg`)).json).toMatchObject({ statusCode: 404, code: 'diagram_not_found' });
  });

  it('the Markdown, at /reports/<id>.md and with ?format=md', async () => {
    const md = await http('GET', `/reports/${report.id}.md`);
    expect(md.status).toBe(200);
    expect(md.type).toContain('text/markdown');
    expect(md.text).toContain('# Calibration report');
    expect(md.text).toContain('**Finding:** overstates confidence at 0.9: actual 0.60 (stated 0.97, n=300)');
    expect(md.text).toContain('7 labeled outcomes are for decisions this service has not seen');
    expect(md.text).toContain('| 0.9–1.0 | 0.97 | 0.60 | 300 |');
    expect(md.text).toContain('```diff\n--- a/manifests/refunds.yaml');
    expect((await http('GET', `/reports/${report.id}?format=md`)).text).toBe(md.text);
    expect((await http('GET', '/reports/latest?format=md')).text).toBe(md.text);
  });

  it('listing and latest; who may read what; malformed requests named', async () => {
    expect((await http('GET', '/reports')).json.items).toEqual([
      expect.objectContaining({ id: report.id, trigger: 'request', workspace: null, labeled_outcomes: 365, findings: 2, suggestions: 1 }),
    ]);
    expect((await http('GET', '/reports/latest')).json.id).toBe(report.id);

    expect(await http('GET', `/reports/${report.id}`, { token: null })).toMatchObject({ status: 401, json: { code: 'token_missing' } });
    expect(await http('GET', `/reports/${report.id}`, { token: 'not-a-known-token-at-all' })).toMatchObject({ status: 401, json: { code: 'token_unknown' } });
    // Ines reads acme-support only: not a report over every workspace, but one of her own.
    expect(await http('GET', `/reports/${report.id}`, { token: INES })).toMatchObject({ status: 403, json: { code: 'wrong_workspace' } });
    expect((await http('GET', '/reports', { token: INES })).json.items).toEqual([]);
    const own = await http('POST', '/reports', { token: INES, body: { window_days: 7 } });
    expect(own.status).toBe(201);
    expect(own.json).toMatchObject({ workspace: 'acme-support', window: { days: 7 }, requested_by: 'aud-ines', labeled_outcomes: 365, unknown_outcomes: 7 });
    expect((await http('GET', `/reports/${own.json.id}/diagram/process_refund.svg`, { token: INES })).status).toBe(200);
    expect(await http('POST', '/reports', { token: INES, body: { workspace: 'globex' } })).toMatchObject({ status: 403, json: { code: 'wrong_workspace' } });

    expect(await http('POST', '/reports', { body: { window_days: 0 } })).toMatchObject({
      status: 400,
      json: { code: 'invalid_request', message: expect.stringContaining('window_days: must be a whole number of days from 1 to 365') },
    });
    expect(await http('POST', '/reports', { body: { windowDays: 7 } })).toMatchObject({
      status: 400,
      json: { message: 'invalid body: windowDays: unknown field' },
    });
    expect(await http('GET', '/reports/not-a-report')).toMatchObject({
      status: 400,
      json: { message: expect.stringContaining('invalid path parameter: ref: must be a report id') },
    });
    expect(await http('GET', `/reports/${report.id}.md?format=json`)).toMatchObject({
      status: 400,
      json: { message: 'invalid query: format: is json, but the path asks for .md' },
    });
    expect(await http('GET', '/reports?limit=1000')).toMatchObject({
      status: 400,
      json: { message: expect.stringContaining('limit: must be a whole number from 1 to 100') },
    });
    expect(await http('GET', `/reports/${randomUUID()}`)).toMatchObject({ status: 404, json: { code: 'report_not_found' } });

    const openapi = (await http('GET', '/openapi.json', { token: null })).json;
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/reports', '/reports/latest', '/reports/{ref}', '/reports/{id}/diagram/{file}', '/reports/{id}/suggestions.patch']),
    );
    expect(openapi.paths['/reports'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('window_days');
  });

  it('the schedule: a due slot in PostgreSQL makes one report, whichever pollers race for it, and moves on to the next slot', async () => {
    const [planned] = await query<{ cron: string; next_run_at: Date }>(`SELECT cron, next_run_at FROM "${run.schema}".schedule WHERE name = $1`, [
      SCHEDULE_NAME,
    ]);
    expect(planned.cron).toBe('0 6 * * 1');
    expect(planned.next_run_at.getUTCDay()).toBe(1);
    expect(planned.next_run_at.getTime()).toBeGreaterThan(Date.now());

    await query(`UPDATE "${run.schema}".schedule SET next_run_at = now() - interval '1 minute' WHERE name = $1`, [SCHEDULE_NAME]);
    // Three claimants at once (as three replicas would), besides the service's own poller.
    const poller = app.get(SchedulePoller);
    const claimed = await Promise.all([poller.tick(), poller.tick(), poller.tick()]);
    const scheduledReports = () => query<{ id: string }>(`SELECT id FROM "${run.schema}".reports WHERE trigger = 'schedule'`);
    await eventually('the scheduled report', async () => (await scheduledReports()).length > 0, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 600)); // a few more polls: nothing more is due
    const scheduled = await scheduledReports();
    expect(scheduled).toHaveLength(1);
    expect(claimed.filter((c) => c !== null).length).toBeLessThanOrEqual(1);

    const [after] = await query<{ next_run_at: Date; last_report_id: string }>(
      `SELECT next_run_at, last_report_id FROM "${run.schema}".schedule WHERE name = $1`,
      [SCHEDULE_NAME],
    );
    expect(after.last_report_id).toBe(scheduled[0].id);
    expect(after.next_run_at.getTime()).toBe(nextSlot('0 6 * * 1', new Date()).getTime());
    const body = (await http('GET', `/reports/${scheduled[0].id}`)).json;
    expect(body).toMatchObject({ trigger: 'schedule', requested_by: null, workspace: null, unknown_outcomes: 7 });
    expect(body.findings.map((f: any) => f.text)).toContain('overstates confidence at 0.9: actual 0.60 (stated 0.97, n=300)');
  });

  it('`hitl calibrate` against the running service: exit 0, the finding and where the files are', async () => {
    const cli = await runCli(['calibrate', '--url', base], { AUDITOR_TOKEN: COMPLIANCE });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('  finding: overstates confidence at 0.9: actual 0.60 (stated 0.97, n=300)');
    expect(cli.stdout).toContain('  process_refund thresholds.auto_approve_confidence: 0.97 → never');
    expect(cli.stdout).toMatch(new RegExp(`patch: ${base}/reports/[0-9a-f-]{36}/suggestions\\.patch`));
    expect(cli.stdout).toMatch(new RegExp(`diagram of process_refund: ${base}/reports/[0-9a-f-]{36}/diagram/process_refund\\.svg`));
  });
  it('a replay of a stricter candidate manifest reports the expected verdict changes', async () => {
    // Every proposal here is a $20 refund. The candidate auto-approves only below $10, and
    // on confidence only from 0.99: of the 250 auto-approved, the 200 under 0.99 go to a
    // person; of the 50 the overconfident agent had reviewed, the 10 at 0.99 become
    // auto-approvals, half of them labeled wrong; the careful agent's 60 stay with a person.
    const candidate = readFileSync(MANIFEST, 'utf8')
      .replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 10')
      .replace(
        'thresholds: { auto_approve_confidence: 0.97, escalate_confidence: 0.60 }',
        'thresholds: { auto_approve_confidence: 0.99, escalate_confidence: 0.60 }',
      );
    expect(candidate).not.toBe(readFileSync(MANIFEST, 'utf8'));
    const answer = await http('POST', '/replay', { body: { manifest_yaml: candidate, since_days: 1 } });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      decisions: 360,
      changed: 210,
      changes: { 'auto_approve → human_review': 200, 'human_review → auto_approve': 10 },
      review_load: { support_agent: { before: 110, after: 300, change: 190 } },
      added_auto_approvals: 10,
      added_auto_approvals_labeled_wrong: 5,
      removed_auto_approvals: 200,
    });
    // Nothing was changed by it: the manifest in force is the same.
    expect(answer.json.current_version).not.toBe(answer.json.candidate_version);

    const invalid = await http('POST', '/replay', {
      body: {
        manifest_yaml: candidate.replace(
          '    on_timeout: deny\n    escalation_path: [support_agent, finance_lead]',
          '    on_timeout: approve\n    escalation_path: [support_agent, finance_lead]',
        ),
      },
    });
    expect(invalid.status).toBe(422);
    expect(JSON.stringify(invalid.json.issues)).toContain('actions.process_refund.on_timeout');
    expect((await http('POST', '/replay', { body: { manifest_yaml: candidate, since_days: 0 } })).text).toContain('since_days');

    const file = resolve(tmpdir(), `candidate-${id}.yaml`);
    writeFileSync(file, candidate);
    const cli = await runCli(['replay', '--manifest', file, '--since', '1d', '--url', base], { AUDITOR_TOKEN: COMPLIANCE });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('verdicts that would change: 210');
    expect(cli.stdout).toContain('  support_agent: 110 → 300 (+190)');
    expect(cli.stdout).toContain('auto-approvals added: 10, of which labeled wrong: 5');
  });
});
