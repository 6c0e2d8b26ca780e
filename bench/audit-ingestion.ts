// Figure 3, audit ingestion: events per second the audit service sustains (consume, decode,
// de-duplicate, redact, hash-chain, insert, in chunks of 500 per transaction) against a raw
// COPY of the very rows it wrote into a table of the same shape (same columns, indexes and
// constraints, no trigger). The topic is filled before the audit starts; the audit's rate
// is the rows recorded after the first ones seen over the time until the last (count(*)
// polled every 50 ms). The raw passthrough forwards the same events afterwards: Kafka's part
// of the least an audit must do.
import { eventually, query } from '@hitl/testing';
import { Client } from 'pg';
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { bestSigningMicros } from './signature-cost';
import { contractCeiling } from './support/ceiling';
import { copyFrom, copyLines } from './support/copy';
import { FigureResult, runStandalone, verdict } from './support/figure';
import { proposal, produceAll } from './support/decisions';
import { pass, startPassthrough } from './support/passes';
import { BenchWorld, watching } from './support/services';
import { busyMicrosPer, machineCpu, restingShare } from './support/scaling';
import { ratePerSecond, ratio } from './support/stats';
import { Size, SIZE_TABLE } from './support/size';
import { formatTable } from './support/table';

export const AUDIT_TARGET = 0.5;

/** Where the raw passthrough forwards the audit's events (the Kafka part of the ceiling). */
const PASSTHROUGH_OUT = 'audit-passthrough.out';

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
    await world.createTopics([PASSTHROUGH_OUT]);
    await produceAll(
      world.kafka,
      world.topic('decision.proposed'),
      Array.from({ length: n }, () => proposal('auto_approve')),
    );

    // What the contract adds to each event whatever the code (see figure 1): measured on a quiet machine first.
    const signing = bestSigningMicros(Math.max(2_000, n / 3));
    const background = await restingShare();
    const machineBefore = machineCpu();
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
    // From before it started (its start-up is a small part at full size): brokers and PostgreSQL included.
    const auditMachineMicros = busyMicrosPer(machineBefore, machineCpu(), background, n);
    const peak = audit.peakRssMib();
    await audit.stop();
    // All of it in one chunk (tiny sizes): no span to measure, so the rate is unknown.
    const auditRate = first ? ratePerSecond(n - first.rows, done - first.at) : Number.NaN;

    const client = new Client({ connectionString: world.databaseUrl });
    await client.connect();
    let copyRate: number;
    let copyMachineMicros: number;
    try {
      const rows = (await client.query(`SELECT ${COLUMNS.join(', ')} FROM audit.events ORDER BY seq`)).rows as Record<string, unknown>[];
      const data = copyLines(rows.map((r) => COLUMNS.map((c) => r[c])));
      await client.query('CREATE SCHEMA bench_raw');
      await client.query('CREATE TABLE bench_raw.events (LIKE audit.events INCLUDING ALL)');
      const start = performance.now();
      const copyBefore = machineCpu();
      const copied = await copyFrom(client, `COPY bench_raw.events (${COLUMNS.join(', ')}) FROM STDIN`, data);
      copyMachineMicros = busyMicrosPer(copyBefore, machineCpu(), background, copied);
      copyRate = ratePerSecond(copied, performance.now() - start);
      if (copied !== n) throw new Error(`COPY wrote ${copied} rows, expected ${n}`);
    } finally {
      await client.end();
    }

    // Kafka's share of the floor: the audit reads every event and publishes one on its stream,
    // at the least what the raw passthrough does with the same events (its messages are the
    // events, smaller than the records the audit publishes).
    const kafka = await pass(world, await startPassthrough(world, 'raw passthrough', 'decision.proposed', PASSTHROUGH_OUT), PASSTHROUGH_OUT, n, background);
    if (kafka.count !== n) throw new Error(`the raw passthrough forwarded ${kafka.count} events, expected ${n}`);

    const r = ratio(auditRate, copyRate);
    const met = r >= AUDIT_TARGET;
    const cores = cpus().length;
    const ceiling = contractCeiling({ cores, baselineMachineMicros: copyMachineMicros, verifyMicros: signing.verify, signMicros: signing.sign });
    const c = ratio(ceiling.rate, copyRate);
    const withKafka = contractCeiling({
      cores,
      baselineMachineMicros: copyMachineMicros + kafka.machinePer1000,
      verifyMicros: signing.verify,
      signMicros: signing.sign,
    });
    const k = ratio(withKafka.rate, copyRate);
    return {
      title: 'Figure 3: audit ingestion',
      table: formatTable(
        ['path', 'events', 'events/s', 'process CPU ms per 1000', 'machine CPU ms per 1000', 'peak RSS (MiB)'],
        [
          ['raw COPY of the same rows (same table shape)', n, Math.round(copyRate), '', Math.round(copyMachineMicros), ''],
          [
            'audit service (consume, dedup, redact, chain, insert)',
            n,
            Math.round(auditRate),
            Math.round((cpu * 1e6) / n),
            Math.round(auditMachineMicros),
            Math.round(peak),
          ],
          [
            'raw kafkajs passthrough of the same events (consume, produce)',
            n,
            Math.round(kafka.rate),
            Math.round(kafka.cpuPer1000),
            Math.round(kafka.machinePer1000),
            Math.round(kafka.peakMib),
          ],
          ['ceiling: COPY + verify + sign', '', Math.round(ceiling.rate), '', Math.round(ceiling.floorMicros), ''],
          ['ceiling with Kafka: COPY + passthrough + verify + sign', '', Math.round(withKafka.rate), '', Math.round(withKafka.floorMicros), ''],
          ['ratio audit / COPY', '', r, '', '', ''],
          ['ratio ceiling / COPY', '', c, '', '', ''],
          ['ratio ceiling with Kafka / COPY', '', k, '', '', ''],
        ],
      ),
      notes: [
        `Target: ratio >= ${AUDIT_TARGET}; met: ${verdict(met)}.`,
        `Ceiling: the most an audit could record here if it did nothing but the COPY's work (its machine CPU per row: this client and PostgreSQL, less the machine's busy share at rest) and what the contract adds to every event, one verification of what it reads (${signing.verify.toFixed(1)} µs) and one signature of its audit.recorded event (${signing.sign.toFixed(1)} µs, ${signing.backend}, measured before the audit started, the best of three rounds), on all ${cores} cores: ${Math.round(ceiling.floorMicros)} µs an event. The ceiling with Kafka adds what the audit cannot skip on Kafka, reading each event and publishing one on audit.recorded, at the least the raw passthrough's machine CPU per event on the same events (${Math.round(kafka.machinePer1000)} µs: consumer, producer and broker; the records the audit publishes are larger than the events it forwards): ${Math.round(withKafka.floorMicros)} µs an event. It leaves out the rest of the audit's work (decoding, redaction, the chain's hashes and lookups), so the real bound is lower still. A target above a ceiling's ratio cannot be met on this machine by any code that keeps the contract.`,
        'COPY runs through pg-copy-streams (bench/support/copy.ts), one statement for all rows and all 17 columns the audit writes, text format; the audit itself writes each chunk with a COPY the same way.',
        'Every event is in one workspace, i.e. one hash chain: chunks of the three partitions take the chain lock one after the other.',
      ],
      ratios: {
        'audit ingestion audit/COPY': `${r.toFixed(2)} (target >= ${AUDIT_TARGET})`,
        'audit ingestion ceiling/COPY': `${c.toFixed(2)} (the most any audit keeping the contract could reach here, leaving Kafka out)`,
        'audit ingestion ceiling with Kafka/COPY': `${k.toFixed(2)} (the same, with reading the events and publishing the stream at the raw passthrough's cost)`,
      },
      peakRss: [
        { process: 'audit', mib: peak },
        { process: 'raw passthrough', mib: kafka.peakMib },
      ],
      targetMet: met,
    };
  } finally {
    await world.tearDown();
  }
}

if (require.main === module) runStandalone(auditIngestion);
