// Figure 5, calibration at scale: how long the calibrator takes to make its report over N
// labeled outcomes (POST /reports, as an auditor of every workspace). The outcomes are
// bulk-loaded in the calibrator's own tables (decisions and their labels, proposed over the
// last 20 days, four actions, twenty agents, labels that agree with the stated confidence
// on average), then analysed, before the report is asked for.
import { performance } from 'node:perf_hooks';
import { query } from '@hitl/testing';
import { FigureResult, runStandalone } from './support/figure';
import { BenchWorld, WORKSPACE } from './support/services';
import { Size, SIZE_TABLE } from './support/size';
import { formatTable } from './support/table';

const LOAD_CHUNK = 250_000;

export async function calibrationScale(size: Size): Promise<FigureResult> {
  const n = SIZE_TABLE[size].labeledOutcomes;
  const world = new BenchWorld();
  try {
    await world.setUp();
    const calibrator = await world.start('calibrator');
    const loadStart = performance.now();
    for (let from = 0; from < n; from += LOAD_CHUNK) {
      await query(
        `INSERT INTO calibrator.decisions (decision_id, workspace, agent_id, action, confidence, proposal, proposed_at, routed_verdict)
         SELECT gen_random_uuid(), $1, 'bench-agent-' || (i % 20), (ARRAY['process_refund', 'issue_goodwill_credit', 'send_customer_email', 'cancel_subscription'])[1 + i % 4],
                c, jsonb_build_object('action', 'process_refund', 'confidence', c, 'parameters', jsonb_build_object('amount_usd', i % 500)),
                now() - random() * interval '20 days', CASE WHEN c >= 0.95 THEN 'auto_approve' ELSE 'human_review' END
           FROM (SELECT i, round(random()::numeric, 3)::float8 AS c FROM generate_series($2::int, $3::int) AS i) AS s`,
        [WORKSPACE, from, Math.min(n, from + LOAD_CHUNK) - 1],
        world.databaseUrl,
      );
    }
    await query(
      `INSERT INTO calibrator.labels (event_id, decision_id, workspace, correct, source, labeled_by, labeled_at)
       SELECT gen_random_uuid()::text, decision_id, workspace, random() < confidence, 'reviewer_audit', 'bench', proposed_at + interval '1 hour'
         FROM calibrator.decisions`,
      [],
      world.databaseUrl,
    );
    await query('ANALYZE calibrator.decisions', [], world.databaseUrl);
    await query('ANALYZE calibrator.labels', [], world.databaseUrl);
    const loadSeconds = (performance.now() - loadStart) / 1000;

    const start = performance.now();
    const res = await fetch(`${calibrator.url}/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.auditorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ window_days: 30 }),
      signal: AbortSignal.timeout(600_000),
    });
    const reportSeconds = (performance.now() - start) / 1000;
    const body = (await res.json()) as { labeled_outcomes?: number };
    if (res.status !== 201) throw new Error(`POST /reports answered ${res.status}: ${JSON.stringify(body)}`);
    if (body.labeled_outcomes !== n) throw new Error(`the report counted ${body.labeled_outcomes} labeled outcomes, expected ${n}`);
    const peak = calibrator.peakRssMib();
    return {
      title: 'Figure 5: calibration at scale',
      table: formatTable(
        ['labeled outcomes', 'bulk load + analyze s', 'report s', 'calibrator peak RSS (MiB)'],
        [[n, loadSeconds, reportSeconds, Math.round(peak)]],
      ),
      notes: [
        'No target. The report aggregates in PostgreSQL (a row per action, agent and bucket comes back), so its time is that of the aggregation query over the window.',
      ],
      ratios: { 'calibration report': `${reportSeconds.toFixed(1)} s over ${n} labeled outcomes` },
      peakRss: [{ process: 'calibrator', mib: peak }],
      targetMet: null,
    };
  } finally {
    await world.tearDown();
  }
}

if (require.main === module) runStandalone(calibrationScale);
