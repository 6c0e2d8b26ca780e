// Figure 3, audit ingestion: events per second the audit service sustains (consume, decode,
// de-duplicate, redact, hash-chain, insert, in chunks of 500 per transaction) against a raw
// COPY of the very rows it wrote into a table of the same shape (same columns, indexes and
// constraints, no trigger). The topic is filled before the audit starts; the audit's rate
// is the rows recorded after the first ones seen over the time until the last (count(*)
// polled every 50 ms).
import { eventually, query } from '@hitl/testing';
import { Client } from 'pg';
import { performance } from 'node:perf_hooks';
import { copyFrom, copyLines } from './support/copy';
import { FigureResult, runStandalone, verdict } from './support/figure';
import { proposal, produceAll } from './support/decisions';
import { BenchWorld, watching } from './support/services';
import { ratePerSecond, ratio } from './support/stats';
import { Size, SIZE_TABLE } from './support/size';
import { formatTable } from './support/table';

export const AUDIT_TARGET = 0.5;

const COLUMNS = [
  'event_id',
  'workspace',
  'chain_index',
  'topic',
  'type',
  'decision_id',
  'actor_kind',
  'actor_id',
  'action',
  'occurred_at',
  'manifest_version',
  'event',
  'prev_hash',
  'hash',
  'verified',
  'signer',
  'refusal',
];

export async function auditIngestion(size: Size): Promise<FigureResult> {
  const n = SIZE_TABLE[size].auditEvents;
  const world = new BenchWorld();
  try {
    await world.setUp();
    await world.createContractTopics();
    await produceAll(
      world.kafka,
      world.topic('decision.proposed'),
      Array.from({ length: n }, () => proposal('auto_approve')),
    );

    const audit = await world.start('audit');
    const cpuBefore = audit.cpuSeconds();
    // Wall time from the first records seen to the last, polled every 50 ms.
    const count = async () => (await query<{ n: number }>('SELECT count(*)::int AS n FROM audit.events', [], world.databaseUrl))[0].n;
    let first: { at: number; rows: number } | undefined;
    let rows = 0;
    const recordedAll = async () => {
      rows = await count();
      if (rows > 0 && rows < n && !first) first = { at: performance.now(), rows };
      return rows >= n;
    };
    await eventually(`the audit to record ${n} events`, recordedAll, {
      timeoutMs: 900_000,
      everyMs: 50,
      ...watching([audit]),
      detail: () => `it recorded ${rows}:\n${audit.output}`,
    });
    const done = performance.now();
    const cpu = audit.cpuSeconds() - cpuBefore;
    const peak = audit.peakRssMib();
    await audit.stop();
    // All of it in one chunk (tiny sizes): no span to measure, so the rate is unknown.
    const auditRate = first ? ratePerSecond(n - first.rows, done - first.at) : Number.NaN;

    const client = new Client({ connectionString: world.databaseUrl });
    await client.connect();
    let copyRate: number;
    try {
      const rows = (await client.query(`SELECT ${COLUMNS.join(', ')} FROM audit.events ORDER BY seq`)).rows as Record<string, unknown>[];
      const data = copyLines(rows.map((r) => COLUMNS.map((c) => r[c])));
      await client.query('CREATE SCHEMA bench_raw');
      await client.query('CREATE TABLE bench_raw.events (LIKE audit.events INCLUDING ALL)');
      const start = performance.now();
      const copied = await copyFrom(client, `COPY bench_raw.events (${COLUMNS.join(', ')}) FROM STDIN`, data);
      copyRate = ratePerSecond(copied, performance.now() - start);
      if (copied !== n) throw new Error(`COPY wrote ${copied} rows, expected ${n}`);
    } finally {
      await client.end();
    }

    const r = ratio(auditRate, copyRate);
    const met = r >= AUDIT_TARGET;
    return {
      title: 'Figure 3: audit ingestion',
      table: formatTable(
        ['path', 'events', 'events/s', 'process CPU ms per 1000', 'peak RSS (MiB)'],
        [
          ['raw COPY of the same rows (same table shape)', n, Math.round(copyRate), '', ''],
          ['audit service (consume, dedup, redact, chain, insert)', n, Math.round(auditRate), Math.round((cpu * 1e6) / n), Math.round(peak)],
          ['ratio audit / COPY', '', r, '', ''],
        ],
      ),
      notes: [
        `Target: ratio >= ${AUDIT_TARGET}; met: ${verdict(met)}.`,
        'COPY runs through pg-copy-streams (bench/support/copy.ts), one statement for all rows and all 17 columns the audit writes, text format; the audit itself writes each chunk with a COPY the same way.',
        'Every event is in one workspace, i.e. one hash chain: chunks of the three partitions take the chain lock one after the other.',
      ],
      ratios: { 'audit ingestion audit/COPY': `${r.toFixed(2)} (target >= ${AUDIT_TARGET})` },
      peakRss: [{ process: 'audit', mib: peak }],
      targetMet: met,
    };
  } finally {
    await world.tearDown();
  }
}

if (require.main === module) runStandalone(auditIngestion);
