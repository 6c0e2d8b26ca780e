// Figure 10, scale-out (`npm run bench -- --scale`): on a three-broker KRaft cluster of its
// own (scripts/kafka-cluster.sh: replication factor 3, min.insync.replicas 2), one and then
// two replicas of the router, then of the audit, each step in a fresh database and topic
// prefix with SCALE_PARTITIONS partitions. As in figures 1 and 3 the proposals are written
// beforehand; the router's rate is its outputs over the span of their Kafka timestamps, the
// audit's the rows after its first transaction over the span of their recorded_at (each
// transaction's start). CPU comes from /proc: each replica, the three brokers, the machine.
// After each step the rest of the system is started (audit and calibrator, or router and
// calibrator), the run drains, and `hitl check` judges it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { AUDITED_TOPICS, Topics, dlqTopic } from '@hitl/contracts';
import { eventually, query, readWholeTopic, testTrust } from '@hitl/testing';
import { proposal, produceAll } from './support/decisions';
import { FigureResult, runStandalone, verdict } from './support/figure';
import { busiestShare, busyShare, machineCpu, processCpuSeconds, projectedRate } from './support/scaling';
import { BenchWorld, PARTITIONS, ServiceProcess, root, watching } from './support/services';
import { Size, SIZE_TABLE } from './support/size';
import { ratePerSecond, ratio } from './support/stats';
import { formatNumber, formatTable } from './support/table';

/** Partitions of every topic in this figure: 6 split evenly over 1, 2, 3 and 6 replicas (the services' default 3 splits 2 + 1 over two). */
export const SCALE_PARTITIONS = 6;
export const SCALE_REPLICATION = 3;
/** Two router replicas against one, on the three-broker cluster (issue 22). */
export const SCALE_TARGET = 1.6;
const CLUSTER_SCRIPT = resolve(root, 'scripts/kafka-cluster.sh');
const CLUSTER_DIR = resolve(root, 'tmp/kafka-cluster');

type Scaled = 'router' | 'audit';

/** The three-node cluster of scripts/kafka-cluster.sh, stopped (and its data deleted) however the run ends. */
class Cluster {
  brokers: string[] = [];
  /** The step's world, torn down (its services stopped) before the cluster when the run is interrupted. */
  world: BenchWorld | undefined;
  private readonly onSignal = () => {
    void Promise.race([this.world?.tearDown(), new Promise((done) => setTimeout(done, 15_000))]).finally(() => {
      this.down();
      process.exit(130);
    });
  };

  up(): void {
    process.once('SIGINT', this.onSignal).once('SIGTERM', this.onSignal);
    const out = execFileSync('bash', [CLUSTER_SCRIPT, 'up'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    console.log(out.trim());
    this.brokers = out.trim().split('\n').pop()?.split(',') ?? [];
    if (this.brokers.length !== 3) throw new Error(`scripts/kafka-cluster.sh up printed no bootstrap list:\n${out}`);
  }

  /** The brokers' pids (the JVMs). */
  pids(): number[] {
    return [1, 2, 3].map((n) => resolve(CLUSTER_DIR, `node-${n}/kafka.pid`)).flatMap((f) => (existsSync(f) ? [Number(readFileSync(f, 'utf8').trim())] : []));
  }

  down(): void {
    process.off('SIGINT', this.onSignal).off('SIGTERM', this.onSignal);
    try {
      execFileSync('bash', [CLUSTER_SCRIPT, 'down'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (error) {
      console.error(`stopping the cluster: ${(error as Error).message}`);
    }
  }
}

export interface Step {
  service: Scaled;
  replicas: number;
  events: number;
  rate: number;
  /** Cores each replica used over the measured window. */
  replicaCores: number[];
  /** Cores the three brokers used together. */
  brokerCores: number;
  /** Busy share of all the machine's cores (0..1). */
  machineBusy: number;
  /** Cores this process (the measuring one, polling the broker) used. */
  benchCores: number;
  check: string;
  /** Copies of proposals on the topic beyond the n written (the preload producer's retries). */
  copies: number;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** Outputs per second on a topic of the run, over the span of their Kafka timestamps. */
async function timestampRate(world: BenchWorld, topic: string): Promise<number> {
  const messages = await readWholeTopic(world.kafka, world.topic(topic), 300_000);
  const span = messages.reduce((s, m) => ({ from: Math.min(s.from, Number(m.timestamp)), to: Math.max(s.to, Number(m.timestamp)) }), {
    from: Infinity,
    to: -Infinity,
  });
  return ratePerSecond(messages.length, span.to - span.from);
}

/** Audit rows per second after the first transaction, over the span of the transactions' starts (recorded_at is now()). */
async function recordedRate(world: BenchWorld): Promise<number> {
  const [row] = await query<{ rows: number; first: number; span_ms: number }>(
    `SELECT count(*)::int AS rows,
            count(*) FILTER (WHERE recorded_at = (SELECT min(recorded_at) FROM audit.events))::int AS first,
            (extract(epoch FROM max(recorded_at) - min(recorded_at)) * 1000)::float8 AS span_ms
       FROM audit.events`,
    [],
    world.databaseUrl,
  );
  return ratePerSecond(row.rows - row.first, row.span_ms);
}

async function count(world: BenchWorld, sql: string): Promise<number> {
  try {
    return (await query<{ n: number }>(sql, [], world.databaseUrl))[0].n;
  } catch {
    return -1; // the table is not there yet
  }
}

/** Messages on `topics` (as the contract names them) that the group of `service` has not committed yet. */
async function behind(world: BenchWorld, service: string, topics: readonly string[]): Promise<number> {
  const admin = world.kafka.admin();
  await admin.connect();
  try {
    let lag = 0;
    for (const topic of topics.map((t) => world.topic(t))) {
      const [committed] = await admin.fetchOffsets({ groupId: `${world.prefix}hitl-${service}`, topics: [topic] });
      for (const end of await admin.fetchTopicOffsets(topic)) {
        const at = Number(committed.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        lag += Number(end.high) - (at < 0 ? Number(end.low) : at);
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until the router has resolved every proposal and emptied its outbox, and the audit
 * and the calibrator have read everything (twice in a row). Offsets, not counts: a topic
 * may hold copies of a message (a producer's retry), which the services take once.
 */
async function drained(world: BenchWorld, n: number, running: readonly ServiceProcess[]): Promise<void> {
  let last = '';
  let clean = 0;
  await eventually(
    'the run to drain into the audit and the calibrator',
    async () => {
      const resolved = await world.messagesOn('approval.resolved');
      const outbox = await count(world, 'SELECT count(*)::int AS n FROM router.outbox');
      // What the audit reads: every topic but its own stream, and their DLQs.
      const audit = await behind(world, 'audit', [...AUDITED_TOPICS, ...AUDITED_TOPICS.map(dlqTopic)]);
      const calibrator = await behind(world, 'calibrator', [Topics.DecisionProposed, Topics.ApprovalRequested, Topics.ApprovalResolved, Topics.OutcomeLabeled]);
      last = `${resolved}/${n} resolved, router outbox ${outbox}, audit ${audit} behind, calibrator ${calibrator} behind`;
      clean = resolved >= n && outbox === 0 && audit === 0 && calibrator === 0 ? clean + 1 : 0;
      return clean >= 2;
    },
    { timeoutMs: 600_000, everyMs: 500, ...watching(running), detail: () => `last seen: ${last}` },
  );
}

/** `hitl check` over the step's run, as an operator runs it: "pass", or what failed. */
function hitlCheck(world: BenchWorld, auditUrl: string): string {
  const run = spawnSync(
    process.execPath,
    [
      resolve(root, 'apps/cli/bin/hitl.js'),
      'check',
      '--json',
      '--prefix',
      world.prefix,
      '--brokers',
      world.brokers.join(','),
      '--audit-url',
      auditUrl,
      '--calibrator-db',
      world.databaseUrl,
      '--manifest',
      resolve(root, 'manifests/refunds.yaml'),
    ],
    { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...testTrust().env(), AUDITOR_TOKEN: world.auditorToken } },
  );
  if (run.status !== 0 && run.status !== 1) return `could not check (exit ${run.status ?? run.signal}: ${run.stderr.trim().split('\n')[0]})`;
  const report = JSON.parse(run.stdout) as { ok: boolean; violations: { kind: string }[] };
  if (report.ok) return 'pass';
  const kinds = [...new Set(report.violations.map((v) => v.kind))];
  return `FAIL: ${report.violations.length} violations (${kinds.join(', ')})`;
}

/** One step: `replicas` replicas of `service` empty a topic of `n` proposals; then the rest of the system drains it and `hitl check` runs. */
async function step(cluster: Cluster, service: Scaled, replicas: number, n: number): Promise<Step> {
  const began = performance.now();
  const phase = (what: string) => console.log(`  ${((performance.now() - began) / 1000).toFixed(1)} s: ${what}`);
  const world = new BenchWorld({ brokers: cluster.brokers, partitions: SCALE_PARTITIONS, replicationFactor: SCALE_REPLICATION });
  cluster.world = world;
  try {
    await world.setUp();
    await world.createContractTopics();
    await produceAll(
      world.kafka,
      world.topic('decision.proposed'),
      Array.from({ length: n }, () => proposal('auto_approve')),
    );
    const copies = (await world.messagesOn('decision.proposed')) - n;
    phase(`topics created and proposals written${copies > 0 ? ` (${copies} copies)` : ''}`);
    // All at once: they join the group's first generation together (group.initial.rebalance.delay.ms).
    const scaled = await Promise.all(Array.from({ length: replicas }, () => world.start(service)));
    const at = () => ({
      wall: performance.now(),
      machine: machineCpu(),
      replicas: scaled.map((s) => s.cpuSeconds()),
      brokers: sum(cluster.pids().map(processCpuSeconds)),
      bench: (({ user, system }) => (user + system) / 1e6)(process.cpuUsage()),
    });
    const before = at();
    phase(`${replicas} ${service} replica(s) healthy`);
    const done =
      service === 'router'
        ? async () => (await world.messagesOn('approval.resolved')) >= n
        : async () => (await count(world, 'SELECT count(*)::int AS n FROM audit.events')) >= n;
    await eventually(`${replicas} ${service} replica(s) to take ${n} proposals`, done, { timeoutMs: 900_000, everyMs: 250, ...watching(scaled) });
    const after = at();
    const seconds = (after.wall - before.wall) / 1000;
    phase(`all ${n} taken`);
    const rate = service === 'router' ? await timestampRate(world, 'approval.resolved') : await recordedRate(world);
    phase('rate read');

    const rest = service === 'router' ? (['audit', 'calibrator'] as const) : (['router', 'calibrator'] as const);
    const others: ServiceProcess[] = [];
    for (const name of rest) others.push(await world.start(name));
    phase(`${rest.join(' and ')} healthy`);
    await drained(world, n, [...scaled, ...others]);
    phase('drained');
    const audit = service === 'audit' ? scaled[0] : others[0];
    return {
      service,
      replicas,
      events: n,
      rate,
      replicaCores: scaled.map((_, i) => (after.replicas[i] - before.replicas[i]) / seconds),
      brokerCores: (after.brokers - before.brokers) / seconds,
      machineBusy: busyShare(before.machine, after.machine),
      benchCores: (after.bench - before.bench) / seconds,
      check: hitlCheck(world, audit.url),
      copies,
    };
  } finally {
    cluster.world = undefined;
    await world.tearDown();
  }
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
const cores = (values: readonly number[]) => values.map((v) => formatNumber(v)).join(' + ');

/** What N replicas on N cores would do, from one replica's rate and the partitions they share. */
function projection(service: Scaled, one: Step, two: Step): string {
  const rows = [1, 2, 3, 4, 6, 8].map((r) => `${r}: ${formatNumber(Math.round(projectedRate(one.rate, SCALE_PARTITIONS, r)))}`);
  const atDefault = Math.round(projectedRate(one.rate, PARTITIONS, 8));
  const measured = ratio(two.rate, one.rate);
  return (
    `Projection for the ${service}, N replicas on N cores of their own, from one replica's ${formatNumber(Math.round(one.rate))}/s over ${SCALE_PARTITIONS} partitions ` +
    `(the busiest replica holds ceil(${SCALE_PARTITIONS}/N) partitions): ${rows.join(', ')} per second. ` +
    `Past ${SCALE_PARTITIONS} replicas the rest stand idle: the partition count is the first bound (with the services' default ${PARTITIONS}, at most ${PARTITIONS} replicas work, ` +
    `${formatNumber(atDefault)}/s, and two replicas split them 2 + 1, at most ${formatNumber(PARTITIONS / busiestShare(PARTITIONS, 2))}x one). ` +
    `Measured here with two: ${formatNumber(measured)}x one. The shared bound is PostgreSQL: every replica writes to the same database ` +
    (service === 'audit'
      ? 'and every event of one workspace extends one hash chain under one lock (all the proposals here are in one workspace): replicas decode, verify and redact in parallel, but take the chain one transaction after the other, so that lock bounds the audit of one workspace however many replicas there are.'
      : '(one multi-row insert of the decisions per chunk), so past the cores PostgreSQL has, more replicas queue on it.')
  );
}

/** Busy cores not taken by the replicas, the brokers or this process: PostgreSQL, the system, anything else running. */
const restCores = (s: Step, coreCount: number) => Math.max(0, s.machineBusy * coreCount - sum(s.replicaCores) - s.brokerCores - s.benchCores);

/** The CPU paragraph: what the cores were doing while one, then two replicas worked. */
function cpuNote(one: Step, two: Step, coreCount: number): string {
  const busyCores = two.machineBusy * coreCount;
  const bound = two.machineBusy >= 0.9;
  return (
    `CPU with one ${one.service} replica: the machine ${percent(one.machineBusy)} busy, the replica ${formatNumber(one.replicaCores[0])} cores, the brokers ${formatNumber(one.brokerCores)}` +
    (one.machineBusy >= 0.9 ? ' (saturated already: the one-replica rate the projection starts from is itself held down by the machine). ' : '. ') +
    `With two: the machine's ${coreCount} cores were ${percent(two.machineBusy)} busy (${formatNumber(busyCores)} cores): ` +
    `the replicas ${cores(two.replicaCores)} cores, the three brokers ${formatNumber(two.brokerCores)}, the measuring process ${formatNumber(two.benchCores)}, the rest (PostgreSQL, the system, anything else running) ${formatNumber(restCores(two, coreCount))}. ` +
    (bound
      ? `The machine is the bound: the two replicas compete with the brokers and PostgreSQL for the same ${coreCount} cores, so this is not what two replicas on cores of their own would do (the projection above assumes those).`
      : `The machine had room left, so the bound lies elsewhere (partitions, PostgreSQL, the brokers' replication).`)
  );
}

export async function scaleOut(size: Size): Promise<FigureResult & { steps: Step[] }> {
  const n = SIZE_TABLE[size].scaleEvents;
  const cluster = new Cluster();
  const steps: Step[] = [];
  try {
    cluster.up();
    // BENCH_SCALE_STEPS=audit:2,router:1 runs only those steps (to look into one).
    const only = process.env.BENCH_SCALE_STEPS?.split(',');
    for (const service of ['router', 'audit'] as const) {
      for (const replicas of [1, 2]) {
        if (only && !only.includes(`${service}:${replicas}`)) continue;
        console.log(`scale-out: ${replicas} ${service} replica(s), ${n} proposals`);
        const result = await step(cluster, service, replicas, n);
        console.log(`  ${Math.round(result.rate)}/s, replicas ${cores(result.replicaCores)} cores, hitl check: ${result.check}`);
        steps.push(result);
      }
    }
  } finally {
    cluster.down();
  }

  const coreCount = cpus().length;
  const find = (service: Scaled, replicas: number) => steps.find((s) => s.service === service && s.replicas === replicas);
  const gain = (service: Scaled) => ratio(find(service, 2)?.rate ?? Number.NaN, find(service, 1)?.rate ?? Number.NaN);
  /** The notes about one service's two steps, when both ran. */
  const about = (service: Scaled) => {
    const [one, two] = [find(service, 1), find(service, 2)];
    return one && two ? [projection(service, one, two), cpuNote(one, two, coreCount)] : [];
  };
  const routerGain = gain('router');
  const auditGain = gain('audit');
  const met = routerGain >= SCALE_TARGET;
  const checksPass = steps.every((s) => s.check === 'pass');
  return {
    title: 'Figure 10: scale-out on a three-broker cluster',
    table: formatTable(
      [
        'service',
        'replicas',
        'events',
        'events/s',
        'x one replica',
        'CPU per replica (cores)',
        'brokers (cores)',
        `machine busy (${coreCount} cores)`,
        'rest of the machine (cores)',
        'hitl check',
      ],
      steps.map((s) => [
        s.service,
        s.replicas,
        s.events,
        Math.round(s.rate),
        s.replicas === 1 ? '' : ratio(s.rate, find(s.service, 1)?.rate ?? Number.NaN),
        cores(s.replicaCores),
        s.brokerCores,
        percent(s.machineBusy),
        restCores(s, coreCount),
        s.check,
      ]),
    ),
    notes: [
      `Target: two router replicas >= ${SCALE_TARGET}x one; met: ${verdict(met)} (${formatNumber(routerGain)}x). The audit: ${formatNumber(auditGain)}x. hitl check after every step: ${checksPass ? 'passed' : 'NOT passed'}.`,
      `Three KRaft nodes (each broker and controller, 384 MiB heap each) on this machine, every topic with ${SCALE_PARTITIONS} partitions and ${SCALE_REPLICATION} replicas (min.insync.replicas 2, producers acks=all). ${SCALE_PARTITIONS} partitions, not the services' default ${PARTITIONS}, so that two replicas hold three each. Each step: ${formatNumber(n)} auto-approvable proposals written first, the replicas started together; router rate over the Kafka timestamps of its outputs, audit rate over its transactions' recorded_at; CPU from /proc over the time until the last one.`,
      ...(steps.some((s) => s.copies > 0)
        ? [
            `The preload wrote copies of some proposals (${steps.map((s) => s.copies).join(', ')} in the four steps; not looked into, most likely kafkajs retrying a whole send after one broker's part of it failed, under new sequence numbers, which idempotence does not drop). The services take each proposal once (the router's decision id, the audit's event id); the router's rate counts its outputs, not its inputs.`,
          ]
        : []),
      ...about('router'),
      ...about('audit'),
    ],
    ratios: {
      'scale-out router 2/1 replicas': `${routerGain.toFixed(2)} (target >= ${SCALE_TARGET})`,
      'scale-out audit 2/1 replicas': `${auditGain.toFixed(2)} (no target)`,
    },
    peakRss: [],
    targetMet: met,
    steps,
  };
}

if (require.main === module) runStandalone(scaleOut);
