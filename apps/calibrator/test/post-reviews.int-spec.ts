// Post-reviews in the calibrator, end to end on the real broker and database: auto-approved
// actions reviewed after they ran (approval.requested, route post_review), each confirmed,
// rolled back or ended unreviewed (approval.updated, signed by the escalation service), sent
// ends first and with copies; ends signed by anyone else refused. The report counts them per
// workspace and action against each workspace's manifest, says by how much sampling backed
// off, counts a confirmed one as correct and a rolled back one as incorrect (a label of the
// decision stands over either), and never counts an unreviewed one.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { POST_REVIEW_COUNTING } from '@hitl/calibration';
import { AnyEvent } from '@hitl/contracts';
import { createServiceApp, loadConfig, startServiceApp } from '@hitl/service-kit';
import { deleteTopicsStartingWith, eventually, inProcessEnv, query, readWholeTopic, signed, testTrust } from '@hitl/testing';
import { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { calibratorService } from '../src/service';
import { calibratorRun } from './support/calibrator-run';
import { Decision, RawEvent, labeled, postReviewRequested, resolved, reviewed, rolledBack, unreviewed } from './support/raw-events';

const root = resolve(__dirname, '../../..');
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'calibrator-post-reviews-test', brokers, logLevel: logLevel.NOTHING });
const TOPICS = ['decision.proposed', 'approval.requested', 'approval.updated', 'approval.resolved', 'outcome.labeled'];

// config/auditors.yaml: aud-compliance reads every workspace, aud-ines only acme-support.
const COMPLIANCE = `compliance-${randomBytes(12).toString('hex')}`;
const INES = `ines-${randomBytes(12).toString('hex')}`;

const id = randomBytes(4).toString('hex');
const run = { schema: `t_postrev_${id}`, prefix: `t-postrev-${id}.` };
let app: INestApplication;
let base: string;

// The manifests in force: refunds.yaml for every workspace, and globex's own, which samples
// refunds at 20% instead of 5%. cancel_subscription is review_after: every auto-approval is reviewed.
const REFUNDS = readFileSync(resolve(root, 'manifests/refunds.yaml'), 'utf8');
const manifests = mkdtempSync(join(tmpdir(), 'hitl-post-reviews-manifests-'));
writeFileSync(join(manifests, 'default.yaml'), REFUNDS);
writeFileSync(join(manifests, 'globex.yaml'), REFUNDS.replace('post_review_sample_rate: 0.05', 'post_review_sample_rate: 0.2'));

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
const inGlobex = <E extends RawEvent>(e: E): E => ({ ...e, workspaceid: 'globex' });

const { publishBytes, publish, settled, http } = calibratorRun({ kafka, prefix: run.prefix, topics: TOPICS, base: () => base, token: COMPLIANCE });

// acme-support: 400 refunds auto-approved, 20 of them sampled for a post-review: 4 confirmed,
// 2 rolled back, 3 whose review window closed, 8 never queued (no reviewer capacity), 3 open.
// 5 cancellations (review_after), each post-reviewed: 2 confirmed, 1 never queued, 2 open.
// globex: 10 refunds auto-approved, 2 post-reviewed, both confirmed.
const decision = (action: string): Decision => ({ decisionId: randomUUID(), agent: 'refund-bot', action, confidence: 0.98 });
const refunds = Array.from({ length: 400 }, () => decision('process_refund'));
const cancellations = Array.from({ length: 5 }, () => decision('cancel_subscription'));
const globexRefunds = Array.from({ length: 10 }, () => decision('process_refund'));
const approvals = new Map<string, string>();
const approvalOf = (d: Decision) => approvals.get(d.decisionId) ?? approvals.set(d.decisionId, randomUUID()).get(d.decisionId)!;

const requests: RawEvent[] = [
  ...[...refunds.slice(0, 20), ...cancellations].map((d) => postReviewRequested(d, approvalOf(d), minutesAgo(59))),
  ...globexRefunds.slice(0, 2).map((d) => inGlobex(postReviewRequested(d, approvalOf(d), minutesAgo(59)))),
];
const autoApprovals: RawEvent[] = [
  ...[...refunds, ...cancellations].map((d) => resolved(d, minutesAgo(59), { by: 'policy' })),
  ...globexRefunds.map((d) => inGlobex(resolved(d, minutesAgo(59), { by: 'policy' }))),
];
const ends: RawEvent[] = [
  ...refunds.slice(0, 4).map((d) => reviewed(d, approvalOf(d), minutesAgo(40))),
  ...refunds.slice(4, 6).map((d) => rolledBack(d, approvalOf(d), minutesAgo(40))),
  ...refunds.slice(6, 9).map((d) => unreviewed(d.decisionId, approvalOf(d), minutesAgo(30), 'review_window_closed')),
  ...refunds.slice(9, 17).map((d) => unreviewed(d.decisionId, approvalOf(d), minutesAgo(58), 'no_review_capacity')),
  ...cancellations.slice(0, 2).map((d) => reviewed(d, approvalOf(d), minutesAgo(40))),
  unreviewed(cancellations[2].decisionId, approvalOf(cancellations[2]), minutesAgo(58), 'no_review_capacity'),
  ...globexRefunds.slice(0, 2).map((d) => inGlobex(reviewed(d, approvalOf(d), minutesAgo(40)))),
  // A post-review rolled back whose review window closes later: the rollback stands.
  unreviewed(refunds[4].decisionId, approvalOf(refunds[4]), minutesAgo(20), 'review_window_closed'),
  // The end of a post-review whose request and decision this service never sees.
  unreviewed(randomUUID(), randomUUID(), minutesAgo(30), 'review_window_closed'),
];
// Labels, the only thing accuracy counts: a confirmed refund labeled wrong, one labeled right,
// a rolled back one labeled right. No unreviewed one is labeled.
const labels: RawEvent[] = [
  labeled(refunds[0].decisionId, false, minutesAgo(10)),
  labeled(refunds[1].decisionId, true, minutesAgo(10)),
  labeled(refunds[4].decisionId, true, minutesAgo(10)),
];
// Ends that must not count: a confirmation signed by the router, a rollback nobody signed.
const routerSignedReview = reviewed(refunds[17], approvalOf(refunds[17]), minutesAgo(10), 'rev-mallory');
const unsignedRollback = rolledBack(refunds[18], approvalOf(refunds[18]), minutesAgo(10), 'rev-mallory');

beforeAll(async () => {
  const config = loadConfig(calibratorService.config, {
    ...inProcessEnv(run.prefix),
    MANIFEST_PATH: manifests,
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

describe('post-reviews, end to end over the real broker and database', () => {
  let report: any;

  it('keeps each post-review once, whatever order its request and end come in; ends signed by anyone but the escalation service change nothing', async () => {
    // Ends first (some twice), then labels, requests and the auto-approvals they came with.
    await publish('approval.updated', [...ends, ends[0], ends[9]]);
    await publishBytes('approval.updated', [
      { key: routerSignedReview.subject, value: JSON.stringify(signed(routerSignedReview as unknown as AnyEvent, 'router')) },
      { key: unsignedRollback.subject, value: JSON.stringify(unsignedRollback) },
    ]);
    await publish('outcome.labeled', labels);
    await publish('approval.requested', requests);
    await publish('approval.resolved', autoApprovals);
    await settled();

    expect(
      await query(
        `SELECT workspace, action, state, unreviewed_reason, count(*)::int AS n FROM "${run.schema}".post_reviews
          GROUP BY 1, 2, 3, 4 ORDER BY workspace, action NULLS LAST, state, unreviewed_reason NULLS FIRST`,
      ),
    ).toEqual([
      { workspace: 'acme-support', action: 'cancel_subscription', state: 'open', unreviewed_reason: null, n: 2 },
      { workspace: 'acme-support', action: 'cancel_subscription', state: 'reviewed', unreviewed_reason: null, n: 2 },
      { workspace: 'acme-support', action: 'cancel_subscription', state: 'unreviewed', unreviewed_reason: 'no_review_capacity', n: 1 },
      { workspace: 'acme-support', action: 'process_refund', state: 'open', unreviewed_reason: null, n: 3 },
      { workspace: 'acme-support', action: 'process_refund', state: 'reviewed', unreviewed_reason: null, n: 4 },
      { workspace: 'acme-support', action: 'process_refund', state: 'rolled_back', unreviewed_reason: null, n: 2 },
      { workspace: 'acme-support', action: 'process_refund', state: 'unreviewed', unreviewed_reason: 'no_review_capacity', n: 8 },
      { workspace: 'acme-support', action: 'process_refund', state: 'unreviewed', unreviewed_reason: 'review_window_closed', n: 3 },
      { workspace: 'acme-support', action: null, state: 'unreviewed', unreviewed_reason: 'review_window_closed', n: 1 },
      { workspace: 'globex', action: 'process_refund', state: 'reviewed', unreviewed_reason: null, n: 2 },
    ]);
    const [rolled] = await query<{ state: string; ended_by: string }>(`SELECT state, ended_by FROM "${run.schema}".post_reviews WHERE approval_id = $1`, [
      approvalOf(refunds[4]),
    ]);
    expect(rolled).toEqual({ state: 'rolled_back', ended_by: 'rev-alice' });
    // The post-reviewed decisions are known from their requests, as auto-approved.
    expect(await query(`SELECT routed_verdict, count(*)::int AS n FROM "${run.schema}".decisions GROUP BY 1`)).toEqual([
      { routed_verdict: 'auto_approve', n: 27 },
    ]);

    // The refused ends are in the DLQ, with their codes, as the calibrator's.
    const letters = await eventually(
      "the calibrator's two letters on approval.updated.dlq",
      async () => {
        const mine = (await readWholeTopic(kafka, `${run.prefix}approval.updated.dlq`).catch(() => []))
          .filter((m) => m.headers!['hitl-dlq-consumer']!.toString() === `${run.prefix}hitl-calibrator`)
          .map((m) => [JSON.parse(m.value!.toString('utf8')).id as string, m.headers!['hitl-dlq-error-code']!.toString()]);
        return mine.length >= 2 && Object.fromEntries(mine);
      },
      { timeoutMs: 30_000, everyMs: 200 },
    );
    expect(letters).toEqual({ [routerSignedReview.id]: 'signature_invalid', [unsignedRollback.id]: 'unsigned' });
  });

  it('the report: per workspace and action, how each post-review ended, the configured and effective rates, and by how much sampling backed off', async () => {
    const created = await http('POST', '/reports', { body: {} });
    expect(created.status).toBe(201);
    report = created.json;
    expect(report.post_reviews).toEqual({
      counting: POST_REVIEW_COUNTING,
      unattributed: 1,
      actions: [
        {
          workspace: 'acme-support',
          action: 'cancel_subscription',
          auto_approvals: 5,
          post_reviews_requested: 5,
          reviewed: 2,
          rolled_back: 0,
          unreviewed_window_closed: 0,
          not_queued_no_capacity: 1,
          open: 2,
          queued: 4,
          configured_rate: 1,
          configured_rate_source: 'review_after',
          effective_rate: 0.8,
          rollback_rate: 0,
          sampling_backed_off: true,
          sampling: 'sampling backed off: 1 of 5 sampled post-reviews were not queued, reviewers had no capacity left; effective rate 80% instead of 100%',
        },
        {
          workspace: 'acme-support',
          action: 'process_refund',
          auto_approvals: 400,
          post_reviews_requested: 20,
          reviewed: 4,
          rolled_back: 2,
          unreviewed_window_closed: 3,
          not_queued_no_capacity: 8,
          open: 3,
          queued: 12,
          configured_rate: 0.05,
          configured_rate_source: 'post_review_sample_rate',
          effective_rate: 0.03,
          rollback_rate: 0.3333,
          sampling_backed_off: true,
          sampling: 'sampling backed off: 8 of 20 sampled post-reviews were not queued, reviewers had no capacity left; effective rate 3% instead of 5%',
        },
        {
          workspace: 'globex',
          action: 'process_refund',
          auto_approvals: 10,
          post_reviews_requested: 2,
          reviewed: 2,
          rolled_back: 0,
          unreviewed_window_closed: 0,
          not_queued_no_capacity: 0,
          open: 0,
          queued: 2,
          configured_rate: 0.2,
          configured_rate_source: 'post_review_sample_rate',
          effective_rate: 0.2,
          rollback_rate: 0,
          sampling_backed_off: false,
          sampling: 'sampling did not back off: every sampled post-review was queued; effective rate 20% (configured 20%)',
        },
      ],
    });
  });

  it('counts a confirmed post-review as correct and a rolled back one as incorrect, a label of the decision over either; never an unreviewed one', async () => {
    // Ten labeled outcomes: 8 refunds (4 + 2 globex confirmed, 2 rolled back) and 2 confirmed
    // cancellations; the 11 unreviewed refunds, the unreviewed cancellation and the open ones are in no count.
    expect(report.labeled_outcomes).toBe(10);
    const refundsReport = report.reports.find((r: any) => r.action === 'process_refund' && r.agent_id === null);
    // The confirmed refund labeled wrong counts as wrong, the rolled back one labeled right as right:
    // the labels stand over the verdicts, each decision once. 6 of 8 correct.
    expect(refundsReport).toMatchObject({ n: 8, accuracy: 0.75 });
    expect(refundsReport.buckets.map((b: any) => [b.bucket, b.n, b.actual])).toEqual([[9, 8, 0.75]]);
    // A rollback is an intervention, a confirmation is not.
    expect(refundsReport.intervention).toEqual({ approved_unchanged: 0, edited: 0, denied: 0, confirmed: 6, rolled_back: 2, rate: 0.25 });
    const cancellationsReport = report.reports.find((r: any) => r.action === 'cancel_subscription' && r.agent_id === null);
    expect(cancellationsReport).toMatchObject({ n: 2, accuracy: 1, intervention: { confirmed: 2, rolled_back: 0, rate: 0 } });
    expect(report.reports.map((r: any) => r.action)).toEqual(['cancel_subscription', 'process_refund']);
  });

  it('the Markdown has the post-reviews, the sentence on sampling and how they count', async () => {
    const md = (await http('GET', `/reports/${report.id}.md`)).text;
    expect(md).toContain('## Post-reviews (actions that ran, reviewed after the fact)');
    expect(md).toContain('| acme-support | process_refund | 400 | 20 | 4 | 2 | 3 | 8 | 3 | 5% | 3% |');
    expect(md).toContain(
      '- acme-support, process_refund: sampling backed off: 8 of 20 sampled post-reviews were not queued, reviewers had no capacity left; effective rate 3% instead of 5%.',
    );
    expect(md).toContain('1 post-review ended for an approval whose request and decision this service has not seen');
    expect(md).toContain(POST_REVIEW_COUNTING);
  });

  it("a workspace's report has its own post-reviews only", async () => {
    const own = await http('POST', '/reports', { token: INES, body: {} });
    expect(own.status).toBe(201);
    expect(own.json.workspace).toBe('acme-support');
    expect(own.json.post_reviews.unattributed).toBe(1);
    expect(own.json.post_reviews.actions.map((a: any) => [a.workspace, a.action, a.effective_rate])).toEqual([
      ['acme-support', 'cancel_subscription', 0.8],
      ['acme-support', 'process_refund', 0.03],
    ]);
  });

  it('a replay reads the post-reviewed decisions as the auto-approvals they were', async () => {
    const answer = await http('POST', '/replay', { body: { manifest_yaml: REFUNDS, since_days: 1 } });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ decisions: 27 });
  });
});
