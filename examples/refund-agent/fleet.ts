// The refund agent as a fleet: N replica processes (replica.ts) of one agent sharing a
// PostgreSQL pending store, each in a consumer group of its own; the simulated desk reviews
// what the policy sends to people. One replica can be killed with kill -9 mid-way and started
// again. The run ends when every decision was acted on, and says how often each was.
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Proposal } from '@hitl/agent-sdk';
import { nextProposal, seededRandom } from './refund-agent';
import type { Acted, ReplicaConfig } from './replica';
import { DeskReviewer, DeskStats, ReviewerDesk } from './reviewer-desk';

export interface FleetOptions {
  brokers: string[];
  topicPrefix?: string;
  /** The agents' own database: the shared pending store lives in `schema` there. */
  databaseUrl: string;
  schema?: string;
  signingKey: string;
  trustedKeys: { router: string; escalation: string };
  escalationUrl: string;
  reviewers: DeskReviewer[];
  decisions: number;
  replicas?: number;
  /** Proposals per second, over the whole fleet. */
  rate?: number;
  seed?: number;
  leaseMs?: number;
  /** kill -9 replica 0 once this share of the decisions was proposed (none when undefined)... */
  killAt?: number;
  /** ...and start it again (same replica id) this much later. */
  restartAfterMs?: number;
  /** Where the replicas' configs, ledgers and logs go. */
  workDir: string;
  /** Give up waiting for outcomes after this long. */
  deadlineMs?: number;
  onProgress?: (progress: FleetProgress) => void;
}

export interface FleetProgress {
  elapsedMs: number;
  proposed: number;
  resolved: number;
  total: number;
}

export interface FleetResult {
  decisions: string[];
  /** Decisions acted on exactly once, more than once, or never (still waiting at the deadline). */
  actedOnce: number;
  actedTwice: string[];
  neverActed: string[];
  /** Refunds per approved decision: more than one would be a double refund. */
  doubleRefunds: string[];
  /** Times a replica's onResolution ran (an outcome handed over again after a kill -9 counts twice; acting stays once). */
  handlerRuns: number;
  /** Outcomes acted on by a replica other than the one that proposed them (resumed from their checkpoint). */
  resumedElsewhere: number;
  statuses: Record<string, number>;
  desk: DeskStats;
  killed: string | null;
  /** The killed replica's decisions proposed and not yet acted on when it was killed. */
  inFlightAtKill: number;
  elapsedMs: number;
}

interface Replica {
  id: string;
  child: ChildProcess;
  configPath: string;
}

const root = resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export async function runFleet(options: FleetOptions): Promise<FleetResult> {
  const started = Date.now();
  const count = options.replicas ?? 3;
  const rate = options.rate ?? 20;
  const random = seededRandom(options.seed ?? started);
  mkdirSync(options.workDir, { recursive: true });
  const paymentsPath = join(options.workDir, 'payments.ndjson');
  const actedPath = join(options.workDir, 'acted.ndjson');

  // Every decision is known up front: the desk decides only this run's, and a replica's share is fixed.
  const all = Array.from({ length: options.decisions }, (_, i) => ({ decision_id: randomUUID(), proposal: nextProposal(random, i) as Proposal }));
  const proposals = new Map(all.map((d) => [d.decision_id, d.proposal.parameters]));
  const ids = (n: number) => `replica-${n}`;
  const proposed = new Set<string>();
  /** decision_id -> the replica that proposed it, and when. */
  const proposer = new Map<string, { by: string; at: number }>();
  let handlerRuns = 0;

  const spawnReplica = (n: number): Replica => {
    const id = ids(n);
    const configPath = join(options.workDir, `${id}.json`);
    const config: ReplicaConfig = {
      replicaId: id,
      brokers: options.brokers,
      topicPrefix: options.topicPrefix ?? '',
      databaseUrl: options.databaseUrl,
      schema: options.schema ?? 'hitl_agent',
      leaseMs: options.leaseMs ?? 10_000,
      signingKey: options.signingKey,
      trustedKeys: options.trustedKeys,
      assignment: all.filter((_, i) => i % count === n),
      rate: rate / count,
      paymentsPath,
      actedPath,
    };
    writeFileSync(configPath, JSON.stringify(config));
    const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(__dirname, 'replica.ts'), configPath], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(join(options.workDir, `${id}.log`), { flags: 'a' });
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        if (line.startsWith('proposed ')) {
          proposed.add(line.slice('proposed '.length));
          proposer.set(line.slice('proposed '.length), { by: id, at: Date.now() });
        }
        if (line.startsWith('handled ')) handlerRuns += 1;
      }
    });
    child.stderr.pipe(log);
    return { id, child, configPath };
  };

  const desk = new ReviewerDesk({
    escalationUrl: options.escalationUrl,
    reviewers: options.reviewers,
    proposals,
    random: seededRandom((options.seed ?? started) + 1),
  });
  desk.start();
  const replicas = Array.from({ length: count }, (_, n) => spawnReplica(n));
  const actedNow = () => lines<Acted>(actedPath);
  const ticker = setInterval(
    () =>
      options.onProgress?.({
        elapsedMs: Date.now() - started,
        proposed: proposed.size,
        resolved: new Set(actedNow().map((a) => a.decision_id)).size,
        total: all.length,
      }),
    1000,
  );
  let killed: string | null = null;
  let inFlightAtKill = 0;
  // The victim's decisions it proposed and has not acted on for `olderThanMs`: what the others must resume.
  const inFlight = (victim: string, olderThanMs = 0) => {
    const done = new Set(actedNow().map((a) => a.decision_id));
    const now = Date.now();
    return [...proposer].filter(([decision, p]) => p.by === victim && !done.has(decision) && now - p.at >= olderThanMs).length;
  };
  try {
    if (options.killAt !== undefined) {
      // Past killAt, at a moment the victim has a decision in flight for a while (one waiting
      // for a person, not an auto-approval about to be acted on): a fast run may otherwise act
      // on everything it proposed before the kill, leaving nothing to resume. Never past its share.
      const share = all.filter((_, i) => i % count === 0).length;
      while (proposed.size < options.killAt * all.length) await sleep(50);
      while (inFlight(ids(0), 500) === 0 && [...proposer.values()].filter((p) => p.by === ids(0)).length < share) await sleep(20);
      inFlightAtKill = inFlight(ids(0));
      const victim = replicas[0];
      const exited = new Promise((done) => victim.child.once('exit', done));
      victim.child.kill('SIGKILL');
      await exited;
      killed = victim.id;
      await sleep(options.restartAfterMs ?? 1_000);
      replicas[0] = spawnReplica(0);
    }
    const deadline = Date.now() + (options.deadlineMs ?? 5 * 60_000);
    while (Date.now() < deadline) {
      const done = new Set(actedNow().map((a) => a.decision_id));
      if (all.every((d) => done.has(d.decision_id))) break;
      await sleep(500);
    }
  } finally {
    clearInterval(ticker);
    await desk.stop();
    await Promise.all(
      replicas.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(killer);
      }),
    );
  }

  const acted = actedNow();
  const times = new Map<string, number>();
  for (const a of acted) times.set(a.decision_id, (times.get(a.decision_id) ?? 0) + 1);
  const refunds = new Map<string, number>();
  for (const p of lines<{ decision_id: string }>(paymentsPath)) refunds.set(p.decision_id, (refunds.get(p.decision_id) ?? 0) + 1);
  const first = new Map<string, Acted>();
  for (const a of acted) if (!first.has(a.decision_id)) first.set(a.decision_id, a);
  const statuses: Record<string, number> = {};
  for (const a of first.values()) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  return {
    decisions: all.map((d) => d.decision_id),
    actedOnce: [...times.values()].filter((n) => n === 1).length,
    actedTwice: [...times].filter(([, n]) => n > 1).map(([id]) => id),
    neverActed: all.filter((d) => !times.has(d.decision_id)).map((d) => d.decision_id),
    doubleRefunds: [...refunds].filter(([, n]) => n > 1).map(([id]) => id),
    handlerRuns,
    resumedElsewhere: [...first.values()].filter((a) => a.proposed_by !== a.replica).length,
    statuses,
    desk: { ...desk.stats },
    killed,
    inFlightAtKill,
    elapsedMs: Date.now() - started,
  };
}
