// Figure 8, queue health at scale: how fast a reviewer's first inbox page (GET /approvals,
// default query) and GET /queues answer with N approvals pending in one role's queue of
// one workspace, against the same at 1 000 pending in the same run. The approvals are
// copies of one the escalation itself opened from a real approval.requested (so every
// column has the service's shape): mixed urgency, SLA deadlines spread over each urgency's
// SLA (all ahead, so no timer fires while it is measured), most unassigned, 50 assigned to
// the reviewer who reads, some to a colleague; plus a tenth as many post-reviews (the
// action ran; a person looks afterwards) in the same queue. Requests are sequential, over
// one kept-alive connection, each timed to the last byte of its body.
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { eventually, query } from '@hitl/testing';
import { FigureResult, runStandalone, verdict } from './support/figure';
import { proposal, produceAll } from './support/decisions';
import { BenchWorld, ServiceProcess, WORKSPACE, watching } from './support/services';
import { Summary, ratio, summarize } from './support/stats';
import { Size, SIZE_TABLE } from './support/size';
import { formatNumber, formatTable } from './support/table';

export const QUEUE_HEALTH_TARGET_MS = 300;
/** The baseline, measured first in the same run. */
export const BASELINE_PENDING = 1_000;
/** Post-reviews beside the blocking approvals: one for every ten. */
const POST_REVIEW_SHARE = 0.1;
/** The reader (rev-bruno of config/reviewers.yaml: support_agent of acme-support, no capacity limit) and a colleague. */
const READER = { id: 'rev-bruno', tokenEnv: 'REVIEWER_TOKEN_BRUNO' };
const COLLEAGUE = 'rev-chen';
/** Approvals assigned to the reader, at every size: their own load does not grow with the queue. */
const MINE = 50;
const WARM_UPS = 5;
const SAMPLES = 50;
const INSERT_CHUNK = 10_000;
/** Every SLA deadline falls at least this long after the seeding starts, so the scanner leaves the queue as seeded. */
const LEAD_MINUTES = 30;
const TEMPLATE = 'public.queue_health_template';

/** The columns copied from the template (those of the table today; columns added later take their defaults). */
const COPIED = `workspace, action, agent_id, on_behalf_of, escalation_path, action_path, reviewer_role, sla_minutes, on_timeout,
  approval_timeout_seconds, approve_on_timeout_allowed, required_approvals, rollback_window_seconds, payload_hash, parameters, request,
  manifest_version, confidence, clarification_timeout_seconds`;

/** The copies' own columns, from their index i (fractional parts of multiples of irrational numbers spread them evenly, in no order). */
function copies(route: 'human_review' | 'post_review'): string {
  const urgency = `(CASE WHEN i % 100 < 2 THEN 'critical' WHEN i % 100 < 15 THEN 'high' WHEN i % 100 < 75 THEN 'normal' ELSE 'low' END)`;
  const spread = `((i * 0.6180339887) % 1)`;
  // A human review: somewhere within its urgency's SLA, expiring after it. A post-review: its
  // deadline and end are the close of its review window (the rollback window, else a day). All after the lead.
  const deadline =
    route === 'human_review'
      ? `($1::timestamptz + ${spread} * COALESCE((t.sla_minutes ->> ${urgency})::float8, 60) * interval '1 minute')`
      : `($1::timestamptz + ${spread} * COALESCE(t.rollback_window_seconds, 86400) * interval '1 second')`;
  const expires = route === 'human_review' ? `${deadline} + t.approval_timeout_seconds * interval '1 second'` : deadline;
  const assignee =
    route === 'human_review'
      ? `CASE WHEN i < ${MINE} THEN '${READER.id}' WHEN i % 20 = 0 THEN '${COLLEAGUE}' END`
      : `CASE WHEN i % 20 = 0 THEN '${COLLEAGUE}' END`;
  return `INSERT INTO escalation.approvals (approval_id, decision_id, route, assignee, urgency, sla_deadline, expires_at, created_at, ${COPIED})
    SELECT gen_random_uuid(), gen_random_uuid(), '${route}', ${assignee}, ${urgency}, ${deadline}, ${expires},
           now() - ((i * 0.4142135624) % 1) * interval '2 hours', ${COPIED.replace(/(\w+)/g, 't.$1')}
      FROM ${TEMPLATE} t, generate_series($2::int, $3::int) AS i`;
}

interface Measured {
  pending: number;
  postReviews: number;
  inbox: Summary;
  queues: Summary;
  /** What the default first page said of the queue (`counts`, when the API gives it). */
  counts: Record<string, number> | null;
  /** The queue's lines in GET /queues: `queue` (when the API gives it) and depth. */
  lines: { queue: string; depth: number }[];
}

interface QueueLine {
  workspace: string;
  role: string;
  depth: number;
  queue?: string;
}

export async function queueHealth(size: Size): Promise<FigureResult> {
  const n = SIZE_TABLE[size].queuePending;
  const world = new BenchWorld();
  const token = `bench-reviewer-${randomBytes(16).toString('hex')}`;
  try {
    await world.setUp();
    const router = await world.start('router');
    const escalation = await world.start('escalation', { [READER.tokenEnv]: token });
    await produceAll(world.kafka, world.topic('decision.proposed'), [proposal('human_review')]);
    await eventually(
      'the template approval',
      async () => (await query<{ n: number }>('SELECT count(*)::int AS n FROM escalation.approvals', [], world.databaseUrl))[0].n === 1,
      { timeoutMs: 60_000, everyMs: 250, ...watching([router, escalation]) },
    );
    await router.stop();
    // The template moves out of the queue, so the queue holds exactly what is seeded.
    await query(`CREATE TABLE ${TEMPLATE} AS SELECT * FROM escalation.approvals`, [], world.databaseUrl);
    await query('DELETE FROM escalation.approvals', [], world.databaseUrl);
    const [template] = await query<{ workspace: string; reviewer_role: string }>(`SELECT workspace, reviewer_role FROM ${TEMPLATE}`, [], world.databaseUrl);
    if (template.workspace !== WORKSPACE || template.reviewer_role !== 'support_agent')
      throw new Error(`the template is in ${template.workspace}/${template.reviewer_role}, expected ${WORKSPACE}/support_agent`);

    const [{ t0 }] = await query<{ t0: Date }>(`SELECT now() + $1 * interval '1 minute' AS t0`, [LEAD_MINUTES], world.databaseUrl);
    const seeded = { human_review: 0, post_review: 0 };
    const seedUpTo = async (route: keyof typeof seeded, count: number) => {
      for (let from = seeded[route]; from < count; from += INSERT_CHUNK)
        await query(copies(route), [t0, from, Math.min(count, from + INSERT_CHUNK) - 1], world.databaseUrl);
      seeded[route] = Math.max(seeded[route], count);
    };
    const measureAt = async (pending: number): Promise<Measured> => {
      const postReviews = Math.round(pending * POST_REVIEW_SHARE);
      await seedUpTo('human_review', pending);
      await seedUpTo('post_review', postReviews);
      // What autovacuum would have done by then in a real database: the planner sees the table as it is.
      await query('ANALYZE escalation.approvals', [], world.databaseUrl);
      return { pending, postReviews, ...(await measure(escalation, token)) };
    };

    const baseline = await measureAt(Math.min(BASELINE_PENDING, n));
    const atScale = await measureAt(n);
    // Sequential latencies on a shared machine follow whatever else runs: say how busy it was.
    const [load] = loadavg();
    const peak = escalation.peakRssMib();
    for (const m of [baseline, atScale]) checkLines(m);

    const met = atScale.inbox.p50 < QUEUE_HEALTH_TARGET_MS && atScale.queues.p50 < QUEUE_HEALTH_TARGET_MS;
    const row = (m: Measured, endpoint: 'inbox' | 'queues') => {
      const s = m[endpoint];
      return [
        m.pending,
        m.postReviews,
        endpoint === 'inbox' ? 'GET /approvals (first page)' : 'GET /queues',
        s.count,
        s.p50,
        s.p95,
        s.max,
        m === baseline ? '' : ratio(s.p50, baseline[endpoint].p50),
      ];
    };
    const describeLines = (m: Measured) => m.lines.map((l) => `${l.queue} ${formatNumber(l.depth)}`).join(', ');
    const describeCounts = (m: Measured) =>
      m.counts
        ? Object.entries(m.counts)
            .map(([k, v]) => `${k} ${formatNumber(v)}`)
            .join(', ')
        : 'none (the API gives no counts)';
    const ms = (v: number) => `${formatNumber(v, 1)} ms`;
    return {
      title: 'Figure 8: queue health at scale',
      table: formatTable(
        ['pending (blocking)', 'post-reviews', 'request', 'samples', 'p50 ms', 'p95 ms', 'max ms', 'p50 / baseline p50'],
        [row(baseline, 'inbox'), row(baseline, 'queues'), row(atScale, 'inbox'), row(atScale, 'queues')],
      ),
      notes: [
        `Target: median < ${QUEUE_HEALTH_TARGET_MS} ms for both at ${formatNumber(n)} pending: inbox ${ms(atScale.inbox.p50)}, queues ${ms(atScale.queues.p50)}; met: ${verdict(met)}.`,
        `One workspace (${WORKSPACE}), one role (support_agent): ${formatNumber(n)} pending human reviews (2% critical, 13% high, 60% normal, 25% low urgency; SLA deadlines spread over each urgency's SLA, ${LEAD_MINUTES} min or more ahead; ${MINE} assigned to the reader, one in twenty to a colleague, the rest unassigned) and ${formatNumber(atScale.postReviews)} pending post-reviews (review windows closing over the next day), all created over the last 2 hours; no resolved history. Copies of one approval the escalation opened, inserted ${formatNumber(INSERT_CHUNK)} a statement, then ANALYZEd.`,
        `The reader is ${READER.id} (support_agent of ${WORKSPACE}) with a bearer token. ${WARM_UPS} warm-up requests, then ${SAMPLES} timed, one after another: the inbox's default first page (limit 50), then GET /queues. Baseline: the same at ${formatNumber(baseline.pending)} pending (+ ${formatNumber(baseline.postReviews)} post-reviews), first in the same run.`,
        `GET /queues lines of the queue at ${formatNumber(n)}: ${describeLines(atScale)}; the first page's counts: ${describeCounts(atScale)}.`,
        `Escalation peak RSS during this figure: ${Math.round(peak)} MiB. Load average (1 min) when the measuring ended: ${load.toFixed(1)} on ${cpus().length} cores.`,
      ],
      ratios: {
        [`inbox first page p50 at ${formatNumber(n)} pending`]: `${ms(atScale.inbox.p50)} (${formatNumber(ratio(atScale.inbox.p50, baseline.inbox.p50))}x the ${formatNumber(baseline.pending)} baseline; target < ${QUEUE_HEALTH_TARGET_MS} ms)`,
        [`GET /queues p50 at ${formatNumber(n)} pending`]: `${ms(atScale.queues.p50)} (${formatNumber(ratio(atScale.queues.p50, baseline.queues.p50))}x the ${formatNumber(baseline.pending)} baseline; target < ${QUEUE_HEALTH_TARGET_MS} ms)`,
      },
      peakRss: [{ process: 'escalation', mib: peak }],
      targetMet: met,
    };
  } finally {
    await world.tearDown();
  }
}

/** GET /queues must count what was seeded: per queue when its lines say which, else in all. */
function checkLines(m: Measured): void {
  const seeded: Record<string, number> = { blocking: m.pending, post_review: m.postReviews, all: m.pending + m.postReviews };
  const split = m.lines.some((l) => l.queue !== 'all');
  const expected = split ? ['blocking', 'post_review'] : ['all'];
  const counted = Object.fromEntries(expected.map((q) => [q, m.lines.filter((l) => l.queue === q).reduce((sum, l) => sum + l.depth, 0)]));
  if (expected.some((q) => counted[q] !== seeded[q]))
    throw new Error(
      `GET /queues counted ${JSON.stringify(counted)} open in ${WORKSPACE}/support_agent; seeded ${m.pending} blocking and ${m.postReviews} post-reviews`,
    );
}

/** Times `path` to the last byte of its body; throws unless it answers 200. */
async function timed(escalation: ServiceProcess, token: string, path: string): Promise<{ ms: number; body: unknown }> {
  const start = performance.now();
  const res = await fetch(`${escalation.url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  return { ms, body: JSON.parse(text) as unknown };
}

async function measure(escalation: ServiceProcess, token: string): Promise<Omit<Measured, 'pending' | 'postReviews'>> {
  const inboxMs: number[] = [];
  let page: { items: unknown[]; counts?: Record<string, number> } | undefined;
  for (let i = 0; i < WARM_UPS + SAMPLES; i++) {
    const { ms, body } = await timed(escalation, token, '/approvals');
    if (i >= WARM_UPS) inboxMs.push(ms);
    page = body as typeof page;
  }
  if (page?.items.length !== 50) throw new Error(`the first inbox page held ${page?.items.length} approvals, expected 50`);

  const queuesMs: number[] = [];
  let snapshot: { queues: QueueLine[] } | undefined;
  for (let i = 0; i < WARM_UPS + SAMPLES; i++) {
    const { ms, body } = await timed(escalation, token, '/queues');
    if (i >= WARM_UPS) queuesMs.push(ms);
    snapshot = body as typeof snapshot;
  }
  const lines = (snapshot?.queues ?? [])
    .filter((q) => q.workspace === WORKSPACE && q.role === 'support_agent')
    .map((q) => ({ queue: q.queue ?? 'all', depth: q.depth }));
  return { inbox: summarize(inboxMs), queues: summarize(queuesMs), counts: page.counts ?? null, lines };
}

if (require.main === module) runStandalone(queueHealth);
