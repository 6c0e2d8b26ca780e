// The rest of closing the loops, end to end on the real broker and database, events signed
// as their producers sign them: what reviewers change becomes a line of the report and an
// escalate_when rule in the manifest diff; an amount limit reviewers approve just above is
// widened; a rollback counts towards promotion only when the escalation service made it and
// the agent's compensation completed it; and drift, checked every second, alerts the owner's
// webhook once with a demotion diff that applies.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadManifest } from '@hitl/policy';
import { createServiceApp, loadConfig, startServiceApp } from '@hitl/service-kit';
import { deleteTopicsStartingWith, eventually, inProcessEnv, query, testTrust } from '@hitl/testing';
import { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { calibratorService } from '../src/service';
import { calibratorRun } from './support/calibrator-run';
import { Decision, compensated, labeled, postReviewRequested, requested, resolved, rolledBack } from './support/raw-events';

const root = resolve(__dirname, '../../..');
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'calibrator-edits-test', brokers, logLevel: logLevel.NOTHING });
const TOPICS = ['decision.proposed', 'approval.requested', 'approval.updated', 'approval.resolved', 'action.executed', 'outcome.labeled'];

const COMPLIANCE = `compliance-${randomBytes(12).toString('hex')}`;
const GLOBEX = `globex-${randomBytes(12).toString('hex')}`;
const id = randomBytes(4).toString('hex');
const run = { schema: `t_edits_${id}`, prefix: `t-edits-${id}.` };
let app: INestApplication;
let base: string;

// refunds.yaml and one more action: store credit, reversible, approved before it runs, auto-approved under $20.
const MANIFEST_TEXT = `${readFileSync(resolve(root, 'manifests/refunds.yaml'), 'utf8').trimEnd()}
  issue_store_credit:
    severity: medium
    reversible: true
    approval_required: true
    rollback_window_seconds: 3600
    conditions: { auto_approve_below_usd: 20 }
    escalate_when:
      - { field: parameters.amount_usd, gt: 500 }
    owner: billing-team
`;
const dir = mkdtempSync(join(tmpdir(), 'hitl-edits-'));
const MANIFEST = join(dir, 'refunds.yaml');
writeFileSync(MANIFEST, MANIFEST_TEXT);

// The owner's webhook: every post it receives.
const posts: { text: string; hitl: any }[] = [];
let hook: Server;

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
const { publish, settled, http } = calibratorRun({ kafka, prefix: run.prefix, topics: TOPICS, base: () => base, token: COMPLIANCE });

function applied(patch: string): Promise<string> {
  const copy = join(mkdtempSync(join(tmpdir(), 'hitl-edits-applied-')), 'refunds.yaml');
  writeFileSync(copy, MANIFEST_TEXT);
  return new Promise((done, fail) => {
    const child = execFile('git', ['apply', '--unsafe-paths', '-p1', '-'], { cwd: tmpdir() }, (error, _stdout, stderr) =>
      error ? fail(new Error(`git apply: ${stderr}`)) : done(readFileSync(copy, 'utf8')),
    );
    child.stdin!.end(patch.split(MANIFEST).join(copy));
  });
}

const credit = (tier: string, amount: number): Decision => ({
  decisionId: randomUUID(),
  agent: 'refund-bot',
  action: 'issue_store_credit',
  confidence: 0.7,
  parameters: { customer_id: `C-${randomBytes(3).toString('hex')}`, customer_tier: tier, amount_usd: amount },
});
const approvals = new Map<string, string>();
const approvalOf = (d: Decision) => approvals.get(d.decisionId) ?? approvals.set(d.decisionId, randomUUID()).get(d.decisionId)!;

// Reviewed before they ran: gold customers' credits of $100 are lowered to $50 in 30 of 40
// reviews, standard customers' in 4 of 160; and 400 credits of $22, just above the $20
// limit, approved as they were but for 2 denials (99.5%).
const gold = Array.from({ length: 40 }, () => credit('gold', 100));
const standard = Array.from({ length: 160 }, () => credit('standard', 100));
const small = Array.from({ length: 400 }, () => credit('standard', 22));
const reviewerVerdict = (d: Decision, edited: boolean, status: 'approved' | 'denied' = 'approved') =>
  resolved(d, minutesAgo(50), {
    by: 'reviewer',
    approvalId: approvalOf(d),
    status,
    edited,
    parameters: edited ? { ...d.parameters, amount_usd: 50 } : undefined,
  });

// Auto-approved credits reviewed after the fact and rolled back: one undone by the agent's
// compensation, one whose compensation failed, one "undone" by another agent (its key, not the
// proposer's), and a "compensation" for a rollback nobody made.
const [undone, failed, undoneByAnother, neverRolledBack] = Array.from({ length: 4 }, () => credit('standard', 10));

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      posts.push(JSON.parse(body));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((done) => hook.listen(0, '127.0.0.1', done));
  const alerts = join(dir, 'owner-alerts.yaml');
  writeFileSync(alerts, `webhooks:\n  billing-team: http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/billing\n`);
  // The compliance office reads every workspace; globex's auditor only globex.
  const auditors = join(dir, 'auditors.yaml');
  writeFileSync(
    auditors,
    `auditors:
  - { id: aud-compliance, name: Compliance office, workspaces: ["*"], token_env: AUDITOR_TOKEN_COMPLIANCE }
  - { id: aud-globex, name: Globex auditor, workspaces: [globex], token_env: AUDITOR_TOKEN_GLOBEX }
`,
  );
  const config = loadConfig(calibratorService.config, {
    ...inProcessEnv(run.prefix),
    MANIFEST_PATH: MANIFEST,
    AUDITORS_PATH: auditors,
    AUDITOR_TOKEN_COMPLIANCE: COMPLIANCE,
    AUDITOR_TOKEN_GLOBEX: GLOBEX,
    OWNER_ALERTS_PATH: alerts,
    DRIFT_CHECK_SECONDS: '1',
    OWNER_ALERTS_POLL_MS: '200',
    ...testTrust().env(),
  });
  app = await createServiceApp({ ...calibratorService, schema: run.schema }, config);
  base = await startServiceApp(app, config);
});

afterAll(async () => {
  await app?.close();
  await new Promise((done) => hook?.close(done));
  await query(`DROP SCHEMA IF EXISTS "${run.schema}" CASCADE`);
  await deleteTopicsStartingWith(kafka, run.prefix);
});

describe('edits, amount limits and promotion in the report', () => {
  let report: any;

  it('keeps what reviewers approved when they edited, and the agents’ compensations', async () => {
    const reviewed = [...gold, ...standard, ...small];
    await publish('approval.requested', [
      ...reviewed.map((d) => requested(d, approvalOf(d), minutesAgo(59))),
      ...[undone, failed, undoneByAnother, neverRolledBack].map((d) => postReviewRequested(d, approvalOf(d), minutesAgo(59))),
    ]);
    await publish('approval.resolved', [
      ...gold.map((d, i) => reviewerVerdict(d, i < 30)),
      ...standard.map((d, i) => reviewerVerdict(d, i < 4)),
      ...small.map((d, i) => reviewerVerdict(d, false, i < 2 ? 'denied' : 'approved')),
      ...[undone, failed, undoneByAnother, neverRolledBack].map((d) => resolved(d, minutesAgo(59), { by: 'policy' })),
    ]);
    await publish(
      'approval.updated',
      [undone, failed, undoneByAnother].map((d) => rolledBack(d, approvalOf(d), minutesAgo(40))),
    );
    await publish('action.executed', [compensated(undoneByAnother, approvalOf(undoneByAnother), minutesAgo(39))], 'other-bot');
    await publish('action.executed', [
      compensated(undone, approvalOf(undone), minutesAgo(39)),
      compensated(failed, approvalOf(failed), minutesAgo(39), false),
      compensated(neverRolledBack, approvalOf(neverRolledBack), minutesAgo(39)),
    ]);
    await settled();
    expect(await query(`SELECT count(*)::int AS n FROM "${run.schema}".resolutions WHERE parameters IS NOT NULL`)).toEqual([{ n: 34 }]);
    expect(await query(`SELECT succeeded, signed_by, count(*)::int AS n FROM "${run.schema}".compensations GROUP BY 1, 2 ORDER BY 1, 2`)).toEqual([
      { succeeded: false, signed_by: 'refund-bot', n: 1 },
      { succeeded: true, signed_by: 'other-bot', n: 1 },
      { succeeded: true, signed_by: 'refund-bot', n: 2 },
    ]);
  });

  it('an edit pattern yields its line in the report and an escalate_when rule in the diff', async () => {
    const created = await http('POST', '/reports', { body: {} });
    expect(created.status).toBe(201);
    report = created.json;
    const credits = report.reports.find((r: any) => r.action === 'issue_store_credit' && r.agent_id === null);
    expect(credits.edits).toMatchObject({ reviews: 600, approved: 598, edited: 34 });
    expect(credits.edits.fields.map((f: any) => f.text)).toEqual(['amount_usd lowered in 5.7% of reviews (34 of 598), median −50%']);
    expect(credits.edits.suggested_rules).toEqual([
      expect.objectContaining({ rule: { field: 'parameters.customer_tier', equals: 'gold' }, edited: 30, of: 40, outside_edited: 4, outside_of: 558 }),
    ]);
    const md = (await http('GET', `/reports/${report.id}.md`)).text;
    expect(md).toContain('- amount_usd lowered in 5.7% of reviews (34 of 598), median −50%');
    expect(md).toContain('- **Suggested** escalate_when `{ field: parameters.customer_tier, equals: gold }`');
  });

  it('widens auto_approve_below_usd where reviewers approved the amounts just above it unchanged', async () => {
    const credits = report.reports.find((r: any) => r.action === 'issue_store_credit' && r.agent_id === null);
    expect(credits.widening).toEqual({
      from: 20,
      to: 25,
      reason: 'reviewers approved unchanged $20-$25: 398 of 400 (99.5%), each at least 99%, over 400+ reviews each',
    });
    const patch = (await http('GET', `/reports/${report.id}/suggestions.patch`)).text;
    const manifest = loadManifest(await applied(patch));
    expect(manifest.actions.get('issue_store_credit')!.autoApproveBelowUsd).toBe(25);
    expect(manifest.actions.get('issue_store_credit')!.escalateWhen).toEqual([
      { field: 'parameters.amount_usd', gt: 500 },
      { field: 'parameters.customer_tier', equals: 'gold' },
    ]);
  });

  it('counts a rollback towards promotion only when the escalation service made it and the proposing agent’s compensation completed it', async () => {
    const credits = report.reports.find((r: any) => r.action === 'issue_store_credit' && r.agent_id === null);
    expect(credits.promotion).toBeNull();
    expect(credits.promotion_check).toMatchObject({ from_mode: 'approve_before', to_mode: 'review_after' });
    expect(credits.promotion_check.met).toEqual(
      expect.arrayContaining(['owned by billing-team', "1 rollback completed by the agent's compensation", 'drift is watched and the owner is alerted']),
    );
    expect(credits.promotion_check.held_back).toEqual(expect.arrayContaining(['3 labeled outcomes, under 500']));
  });
});

describe('drift, checked every second', () => {
  const cancellation = (): Decision => ({ decisionId: randomUUID(), agent: 'refund-bot', action: 'cancel_subscription', confidence: 0.9 });
  const before = Array.from({ length: 100 }, cancellation);
  const after = Array.from({ length: 100 }, cancellation);

  it('a sound window raises nothing', async () => {
    await publish(
      'approval.requested',
      before.map((d) => requested(d, approvalOf(d), minutesAgo(30))),
    );
    await publish(
      'outcome.labeled',
      before.map((d) => labeled(d.decisionId, true, minutesAgo(20))),
    );
    await settled();
    const labelsIn = Date.now();
    await eventually('a check after the labels', async () => {
      const [row] = await query<{ checked_at: Date }>(`SELECT checked_at FROM "${run.schema}".drift_watches WHERE action = 'cancel_subscription'`);
      return row && new Date(row.checked_at).getTime() > labelsIn;
    });
    expect(posts).toEqual([]);
  });

  it('flips recent accuracy: the owner’s webhook gets one alert with a demotion diff that applies', async () => {
    await publish(
      'approval.requested',
      after.map((d) => requested(d, approvalOf(d), minutesAgo(10))),
    );
    await publish(
      'outcome.labeled',
      after.map((d, i) => labeled(d.decisionId, i < 40, minutesAgo(5))),
    );
    await settled();
    const [post] = await eventually('the owner alerted', () => posts.length > 0 && posts, { timeoutMs: 15_000 });
    expect(post.text).toContain('Drift in cancel_subscription (acme-support): accuracy of the latest 100 labeled outcomes (window 100) is 40%');
    expect(post.text).toContain('Suggested demotion: mode review_after → approve_before.');
    expect(post.hitl).toMatchObject({ type: 'drift_alert', action: 'cancel_subscription', owner: 'billing-team' });

    // Still drifting a few checks later: still one alert.
    await new Promise((done) => setTimeout(done, 2500));
    expect(posts).toHaveLength(1);
    const drift = (await http('GET', '/drift')).json;
    expect(drift.watches).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'cancel_subscription', drifting: true })]));
    expect(drift.alerts).toEqual([expect.objectContaining({ id: post.hitl.id, action: 'cancel_subscription', delivery: 'sent', attempts: 1 })]);

    const patch = (await http('GET', `/drift/alerts/${post.hitl.id}.patch`)).text;
    expect(patch).toBe(post.hitl.patch);
    expect(loadManifest(await applied(patch)).actions.get('cancel_subscription')!.mode).toBe('approve_before');
  });

  it('an auditor of another workspace sees neither the watch nor the alert', async () => {
    const other = await http('GET', '/drift', { token: GLOBEX });
    expect(other.status).toBe(200);
    expect(other.json).toEqual({ watches: [], alerts: [] });
  });
});
