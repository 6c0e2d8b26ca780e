// Closing the loops, end to end on the real broker and database: post-reviews a person
// confirmed or rolled back count as labels of their decisions (an outcome.labeled label of
// the same decision stays authoritative; each decision counts once), a rollback is an
// intervention; and calibration both ways in one manifest diff: a threshold lowered where
// reviewers approved a band unchanged 99.5% over 400 reviews, another raised where a band's
// accuracy is 60%. Events are signed as their producers would sign them.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { POST_REVIEW_COUNTING } from '@hitl/calibration';
import { loadManifest } from '@hitl/policy';
import { createServiceApp, loadConfig, startServiceApp } from '@hitl/service-kit';
import { deleteTopicsStartingWith, inProcessEnv, query, testTrust } from '@hitl/testing';
import { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { calibratorService } from '../src/service';
import { calibratorRun } from './support/calibrator-run';
import { Decision, labeled, postReviewRequested, requested, resolved, reviewed, rolledBack, unreviewed } from './support/raw-events';

const root = resolve(__dirname, '../../..');
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'calibrator-loops-test', brokers, logLevel: logLevel.NOTHING });
const TOPICS = ['decision.proposed', 'approval.requested', 'approval.updated', 'approval.resolved', 'outcome.labeled'];

const COMPLIANCE = `compliance-${randomBytes(12).toString('hex')}`;
const INES = `ines-${randomBytes(12).toString('hex')}`;

const id = randomBytes(4).toString('hex');
const run = { schema: `t_loops_${id}`, prefix: `t-loops-${id}.` };
let app: INestApplication;
let base: string;

// The manifest in force: refunds.yaml, with process_refund auto-approving from 0.85 (so a
// raise has somewhere to go below never). issue_goodwill_credit (medium, irreversible,
// approve_before) auto-approves from the defaults' 0.95; send_customer_email (high,
// irreversible, approve_before) too.
const MANIFEST_TEXT = readFileSync(resolve(root, 'manifests/refunds.yaml'), 'utf8').replace(
  'thresholds: { auto_approve_confidence: 0.97, escalate_confidence: 0.60 }',
  'thresholds: { auto_approve_confidence: 0.85, escalate_confidence: 0.60 }',
);
const MANIFEST = join(mkdtempSync(join(tmpdir(), 'hitl-loops-manifest-')), 'refunds.yaml');
writeFileSync(MANIFEST, MANIFEST_TEXT);

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

const { publish, settled, http } = calibratorRun({ kafka, prefix: run.prefix, topics: TOPICS, base: () => base, token: COMPLIANCE });

/** `git apply` of a patch to a copy of the manifest (the service's file stays as it is): the manifest it makes. */
function applied(patch: string): Promise<string> {
  const copy = join(mkdtempSync(join(tmpdir(), 'hitl-loops-applied-')), 'refunds.yaml');
  writeFileSync(copy, MANIFEST_TEXT);
  return new Promise((done, fail) => {
    const child = execFile('git', ['apply', '--unsafe-paths', '-p1', '-'], { cwd: tmpdir() }, (error, _stdout, stderr) =>
      error ? fail(new Error(`git apply: ${stderr}`)) : done(readFileSync(copy, 'utf8')),
    );
    child.stdin!.end(patch.split(MANIFEST).join(copy));
  });
}

const decision = (action: string, confidence: number): Decision => ({ decisionId: randomUUID(), agent: 'refund-bot', action, confidence });
const approvals = new Map<string, string>();
const approvalOf = (d: Decision) => approvals.get(d.decisionId) ?? approvals.set(d.decisionId, randomUUID()).get(d.decisionId)!;

// process_refund, auto-approved and post-reviewed. Band 0.8: 50 a person ended, 32 confirmed
// and 18 rolled back; labels say 4 of the confirmed were wrong and 2 of the rolled back right
// (the labels stand: 30 of 50 correct, 60%), and 8 more nobody reviewed or still open (no
// label). Band 0.9: 30, all confirmed (100%).
const band8 = Array.from({ length: 58 }, (_, i) => decision('process_refund', 0.85 + (i % 5) * 0.01));
const band9 = Array.from({ length: 30 }, (_, i) => decision('process_refund', 0.95 + (i % 5) * 0.01));
const confirmed = [...band8.slice(0, 32), ...band9];
const rolled = band8.slice(32, 50);
const windowClosed = band8.slice(50, 55);
const open = band8.slice(55);

// Reviewed before they ran (route human_review), at 0.90-0.94: 400 each, 398 approved as
// they were, 1 edited, 1 denied (99.5%). issue_goodwill_credit may be lowered on that;
// send_customer_email, irreversible and of high severity, asks a 95% lower bound of 99%.
const reviewedBand = (action: string) => Array.from({ length: 400 }, (_, i) => decision(action, 0.9 + (i % 5) * 0.01));
const credits = reviewedBand('issue_goodwill_credit');
const emails = reviewedBand('send_customer_email');
const reviewerVerdict = (d: Decision, i: number) =>
  resolved(d, minutesAgo(50), { by: 'reviewer', approvalId: approvalOf(d), status: i === 399 ? 'denied' : 'approved', edited: i === 398 });

beforeAll(async () => {
  const config = loadConfig(calibratorService.config, {
    ...inProcessEnv(run.prefix),
    MANIFEST_PATH: MANIFEST,
    AUDITORS_PATH: resolve(root, 'config/auditors.yaml'),
    AUDITOR_TOKEN_COMPLIANCE: COMPLIANCE,
    AUDITOR_TOKEN_INES: INES,
    ...testTrust().env(),
  });
  app = await createServiceApp({ ...calibratorService, schema: run.schema }, config);
  base = await startServiceApp(app, config);
});

afterAll(async () => {
  await app?.close();
  await query(`DROP SCHEMA IF EXISTS "${run.schema}" CASCADE`);
  await deleteTopicsStartingWith(kafka, run.prefix);
});

describe('closing the loops, end to end over the real broker and database', () => {
  let report: any;

  it('keeps the post-reviews, the reviewers’ resolutions and the labels, each once', async () => {
    const refunds = [...band8, ...band9];
    await publish('approval.requested', [
      ...refunds.map((d) => postReviewRequested(d, approvalOf(d), minutesAgo(59))),
      ...[...credits, ...emails].map((d) => requested(d, approvalOf(d), minutesAgo(59))),
    ]);
    await publish('approval.resolved', [
      ...refunds.map((d) => resolved(d, minutesAgo(59), { by: 'policy' })),
      ...credits.map(reviewerVerdict),
      ...emails.map(reviewerVerdict),
    ]);
    const ends = [
      ...confirmed.map((d) => reviewed(d, approvalOf(d), minutesAgo(40))),
      ...rolled.map((d) => rolledBack(d, approvalOf(d), minutesAgo(40))),
      ...windowClosed.map((d) => unreviewed(d.decisionId, approvalOf(d), minutesAgo(30), 'review_window_closed')),
    ];
    // Two ends delivered twice: still one post-review, one outcome each.
    await publish('approval.updated', [...ends, ends[0], ends[confirmed.length]]);
    await publish('outcome.labeled', [
      ...band8.slice(0, 4).map((d) => labeled(d.decisionId, false, minutesAgo(10))),
      ...rolled.slice(0, 2).map((d) => labeled(d.decisionId, true, minutesAgo(10))),
    ]);
    await settled();

    expect(await query(`SELECT action, state, count(*)::int AS n FROM "${run.schema}".post_reviews GROUP BY 1, 2 ORDER BY 1, 2`)).toEqual([
      { action: 'process_refund', state: 'open', n: open.length },
      { action: 'process_refund', state: 'reviewed', n: 62 },
      { action: 'process_refund', state: 'rolled_back', n: 18 },
      { action: 'process_refund', state: 'unreviewed', n: 5 },
    ]);
    expect(await query(`SELECT routed_verdict, action, count(*)::int AS n FROM "${run.schema}".decisions GROUP BY 1, 2 ORDER BY 1, 2`)).toEqual([
      { routed_verdict: 'auto_approve', action: 'process_refund', n: 88 },
      { routed_verdict: 'human_review', action: 'issue_goodwill_credit', n: 400 },
      { routed_verdict: 'human_review', action: 'send_customer_email', n: 400 },
    ]);
  });

  it('confirmed post-reviews count as correct, rolled back ones as incorrect; a label of the same decision stands; each decision once', async () => {
    const created = await http('POST', '/reports', { body: {} });
    expect(created.status).toBe(201);
    report = created.json;
    // 80 post-reviews a person ended; the 6 labels are of decisions among them: no more outcomes.
    expect(report).toMatchObject({ labeled_outcomes: 80, superseded_labels: 0, lowering: { approved_unchanged_target: 0.99, min_reviews: 400 } });
    const refunds = report.reports.find((r: any) => r.action === 'process_refund' && r.agent_id === null);
    expect(refunds).toMatchObject({ n: 80, accuracy: 0.75 });
    // Band 0.8: 32 confirmed − 4 labeled wrong + 2 rolled back labeled right = 30 of 50.
    expect(refunds.buckets.map((b: any) => [b.bucket, b.n, b.actual])).toEqual([
      [8, 50, 0.6],
      [9, 30, 1],
    ]);
    // A rollback is an intervention; a confirmation was a review that changed nothing.
    expect(refunds.intervention).toEqual({ approved_unchanged: 0, edited: 0, denied: 0, confirmed: 62, rolled_back: 18, rate: 0.225 });
    expect(report.post_reviews.counting).toBe(POST_REVIEW_COUNTING);
    expect(report.post_reviews.actions).toEqual([
      expect.objectContaining({ action: 'process_refund', reviewed: 62, rolled_back: 18, unreviewed_window_closed: 5, open: 3 }),
    ]);
  });

  it('a band at 60% accuracy raises its threshold; a band approved unchanged 99.5% over 400 reviews lowers one; both in one manifest diff', async () => {
    const refunds = report.reports.find((r: any) => r.action === 'process_refund' && r.agent_id === null);
    expect(refunds).toMatchObject({ suggested_auto_approve_confidence: 0.9, lowering: null });
    const credit = report.reports.find((r: any) => r.action === 'issue_goodwill_credit');
    expect(credit).toMatchObject({
      n: 0,
      intervention: { approved_unchanged: 398, edited: 1, denied: 1, confirmed: 0, rolled_back: 0, rate: 0.005 },
      suggested_auto_approve_confidence: 0.9,
      lowering: {
        from: 0.95,
        to: 0.9,
        reason: 'reviewers approved unchanged 0.9-1.0: 398 of 400 (99.5%), each at least 99%, over 400+ reviews each',
      },
    });
    // The same evidence for an irreversible action of high severity is not enough: its 95% lower bound is 98.2%.
    // (It is reported all the same, without labels: a reviewer edited one of its decisions.)
    expect(report.reports.map((r: any) => r.action)).toEqual(['issue_goodwill_credit', 'process_refund', 'send_customer_email']);
    expect(report.reports[2]).toMatchObject({ n: 0, lowering: null, suggested_auto_approve_confidence: null, edits: { approved: 399, edited: 1 } });

    // Its $20 credits are just above its auto_approve_below_usd of 20, approved as they were: the limit widens too.
    expect(report.suggestions).toEqual([
      expect.objectContaining({ action: 'issue_goodwill_credit', field: 'thresholds.auto_approve_confidence', from: 0.95, to: 0.9 }),
      expect.objectContaining({ action: 'issue_goodwill_credit', field: 'conditions.auto_approve_below_usd', from: 20, to: 25 }),
      expect.objectContaining({ action: 'process_refund', field: 'thresholds.auto_approve_confidence', from: 0.85, to: 0.9 }),
    ]);
    const patch = (await http('GET', `/reports/${report.id}/suggestions.patch`)).text;
    expect(patch.match(/^--- /gm)).toHaveLength(1);
    expect(patch).toContain('# calibration of ');
    expect(patch).toMatch(
      /\+ {4}thresholds: \{ auto_approve_confidence: 0\.9 \} {2}# calibration of .*: lowered: reviewers approved unchanged 0\.9-1\.0: 398 of 400 \(99\.5%\)/,
    );
    expect(patch).toMatch(
      /\+ {4}thresholds: \{ auto_approve_confidence: 0\.9, escalate_confidence: 0\.60 \} {2}# calibration of .*: overstates confidence at 0\.8: actual 0\.60/,
    );
    const manifest = loadManifest(await applied(patch));
    expect(manifest.actions.get('issue_goodwill_credit')!.autoApproveConfidence).toBe(0.9);
    expect(manifest.actions.get('process_refund')!.autoApproveConfidence).toBe(0.9);
    expect(manifest.actions.get('send_customer_email')!.autoApproveConfidence).toBe(0.95);
    expect(readFileSync(MANIFEST, 'utf8')).toBe(MANIFEST_TEXT); // suggested, never applied

    const md = (await http('GET', `/reports/${report.id}.md`)).text;
    expect(md).toContain('- **Suggested** auto_approve_confidence: 0.9 (lowered from 0.95: reviewers approved unchanged 0.9-1.0: 398 of 400 (99.5%)');
    expect(md).toContain('after the fact 62 confirmed, 18 rolled back (intervention rate 22.5%)');
    expect(md).toContain('in at least 99% of at least 400 reviews');
    expect(md).toContain(POST_REVIEW_COUNTING);
  });
});
