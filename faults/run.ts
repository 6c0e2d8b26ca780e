// `npm run faults`: the whole system under faults, on a broker and a PostgreSQL of its own
// (never the shared ones). Under steady load from the refund agent and the simulated desk
// (examples/refund-agent), each fault strikes mid-batch; then the backlog must drain and
// `hitl check`'s invariants must hold over everything the run has produced so far. The last
// row puts the agent gateway under load from an agent over HTTP (faults/gateway-load.ts)
// and kills it; the gateway stays in the run from then on.
//
//   npm run build && npm run faults              the full table (written to docs/faults.md)
//   npm run build && npm run faults -- --small   a subset with a small load, for CI
//
// Logs: .infra/faults-logs/<service>-<replica>.log; the broker's in .infra/kafka-faults/logs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ALL_TOPICS, Topics, dlqTopic } from '@hitl/contracts';
import { GATEWAY_AGENTS, eventually, freePort, readWholeTopic, testTrust } from '@hitl/testing';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { FleetResult, runFleet } from '../examples/refund-agent/fleet';
import { Progress, runRefundAgent } from '../examples/refund-agent/run';
import { DrainedApp, waitDrained } from './drain';
import { Outcome, formatTable, markdownTable } from './fault-table';
import { GatewayLoadResult, gatewayLoad } from './gateway-load';
import { OwnBroker, OwnPostgres, root } from './infra';
import { AUDITOR_TOKEN, Fleet, REVIEWERS, SERVICES, ServiceName, agentTrust } from './services';

const small = process.argv.includes('--small');
// `--only=<text>`: just the faults whose name holds it (one fault while working on it).
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const LOAD = small ? { decisions: 40, rate: 10 } : { decisions: 600, rate: 60 };
const BROKER_PAUSE_MS = 60_000;
const POSTGRES_STOP_MS = 30_000;
// The agent fleet row: three replica processes of one agent, 300 decisions, one killed with kill -9 mid-way.
const FLEET = { replicas: 3, decisions: 300, rate: 30, killAt: 0.4, restartAfterMs: 1_000 };
// The refunds manifest with reviews expiring after this (instead of 15-60 min): a review a
// fault left undecided resolves as `expired` within the run, and is reported.
const REVIEW_EXPIRY_S = 90;
// The agent of the gateway row: in the test registry with a gateway token, no key of its own.
const GATEWAY_AGENT = 'lambda-bot';
// Past the expiry, every decision has its resolution: an agent still waiting is stuck.
const AGENT_DEADLINE_MS = (REVIEW_EXPIRY_S + 150) * 1000;
const DRAIN_TIMEOUT_MS = 3 * 60_000;
const manifestPath = join(mkdtempSync(join(tmpdir(), 'hitl-faults-manifest-')), 'refunds.yaml');
writeFileSync(
  manifestPath,
  readFileSync(resolve(root, 'manifests/refunds.yaml'), 'utf8').replace(/approval_timeout_seconds: \d+/g, `approval_timeout_seconds: ${REVIEW_EXPIRY_S}`),
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Rig {
  broker: OwnBroker;
  postgres: OwnPostgres;
  fleet: Fleet;
  /** The apps of the run, restarted when they die and drained after each fault: the four services, and the gateway once its row started it. */
  apps: DrainedApp[];
}

interface Fault {
  name: string;
  inSmall: boolean;
  /**
   * The refund agent as one in-process agent (default), or as a fleet of replica processes
   * whose kill -9 is the fault, or an agent proposing through the gateway over HTTP.
   */
  load?: 'agent' | 'fleet' | 'gateway';
  /** Strikes, and puts things back (restart, resume); the recovery clock runs from the strike. */
  strike(rig: Rig): Promise<void>;
  /** After the check: undo what the fault added (extra replicas). */
  after?(rig: Rig): Promise<void>;
}

const killService = (name: ServiceName, inSmall = false): Fault => ({
  name: `kill -9 ${name}, restart`,
  inSmall,
  strike: async ({ fleet }) => {
    await fleet.kill9(name);
    await sleep(1_000);
    await fleet.start(name);
  },
});

const FAULTS: Fault[] = [
  {
    name: 'kill -9 broker, restart',
    inSmall: true,
    strike: async ({ broker }) => {
      await broker.kill9();
      await sleep(1_000);
      broker.start();
    },
  },
  {
    name: 'kill -9 PostgreSQL, restart',
    inSmall: false,
    strike: async ({ postgres }) => {
      await postgres.kill9();
      await sleep(1_000);
      await postgres.start();
    },
  },
  killService('router'),
  killService('escalation', true),
  killService('audit'),
  killService('calibrator'),
  {
    name: 'router and escalation started twice',
    inSmall: true,
    strike: async ({ fleet }) => {
      await Promise.all([fleet.start('router'), fleet.start('escalation')]);
    },
    after: async ({ fleet }) => {
      await fleet.stopExtras('router');
      await fleet.stopExtras('escalation');
    },
  },
  {
    name: `PostgreSQL stopped for ${POSTGRES_STOP_MS / 1000} s (pg_ctl stop -m fast)`,
    inSmall: true,
    strike: async ({ postgres }) => {
      postgres.stopFast();
      try {
        await sleep(POSTGRES_STOP_MS);
      } finally {
        await postgres.start();
      }
    },
  },
  {
    name: `agent fleet: ${FLEET.replicas} replicas, one killed -9 mid-way, restarted`,
    inSmall: true,
    load: 'fleet',
    // The kill -9 and the restart happen inside the fleet run (examples/refund-agent/fleet.ts).
    strike: async () => undefined,
  },
  {
    name: `broker stopped for ${BROKER_PAUSE_MS / 1000} s (SIGSTOP)`,
    inSmall: true,
    strike: async ({ broker }) => {
      broker.signal('SIGSTOP');
      try {
        await sleep(BROKER_PAUSE_MS);
      } finally {
        broker.signal('SIGCONT');
      }
    },
  },
  {
    name: 'kill -9 gateway under HTTP load, restart',
    inSmall: true,
    load: 'gateway',
    strike: async ({ fleet }) => {
      await fleet.kill9('gateway');
      await sleep(1_000);
      await fleet.start('gateway');
    },
  },
];

// Violation kinds of `hitl check` (apps/cli/src/check/invariants.ts); any other kind still counts as a violation.
const LOST = ['unresolved', 'audit_missing', 'calibrator_resolution_missing', 'calibrator_label_missing'];
const DUPLICATED = ['resolved_twice', 'audit_duplicated', 'calibrator_resolution_unknown', 'calibrator_label_unknown'];

/** What `hitl check --json` prints (the fields read here). */
interface CheckReport {
  ok: boolean;
  counts: { awaitingReview: number };
  violations: { kind: string; subject: string; detail: string }[];
}

/** Messages on every `<topic>.dlq` of the run, now. */
async function deadLetters(admin: Admin): Promise<number> {
  const existing = new Set(await admin.listTopics());
  let total = 0;
  for (const topic of ALL_TOPICS.map(dlqTopic).filter((t) => existing.has(t))) {
    for (const p of await admin.fetchTopicOffsets(topic)) total += Number(p.high) - Number(p.low);
  }
  return total;
}

async function withAdmin<T>(rig: Rig, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({ clientId: 'hitl-faults', brokers: rig.broker.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

async function runFault(rig: Rig, fault: Fault, seed: number, known: Set<string>): Promise<Outcome> {
  if (fault.load === 'fleet') return runFleetFault(rig, fault, seed, known);
  if (fault.load === 'gateway') return runGatewayFault(rig, fault, seed, known);
  let last: Progress | null = null;
  const load = runRefundAgent({
    brokers: rig.broker.brokers,
    ...agentTrust(),
    escalationUrl: rig.fleet.url('escalation'),
    reviewers: REVIEWERS,
    decisions: LOAD.decisions,
    rate: LOAD.rate,
    seed,
    onProgress: (p) => (last = p),
  });
  // Mid-batch: about 40% of the batch proposed (as the agent's last progress tick says), the rest still to come.
  await eventually('the agent to propose 40% of its batch', () => ((last as Progress | null)?.proposed ?? 0) >= 0.4 * LOAD.decisions, {
    timeoutMs: 60_000,
    everyMs: 50,
  });
  const atFault = last as Progress | null;
  const inFlight = atFault ? atFault.proposed - atFault.resolved : 0;
  const dlqBefore = await withAdmin(rig, deadLetters);
  log(`${fault.name}: striking with ${inFlight} decisions in flight`);
  const struck = Date.now();
  await fault.strike(rig);
  await rig.fleet.restartDead(rig.apps);

  const finished = await Promise.race([
    load.then((r) => ({ done: true as const, result: r })),
    sleep(AGENT_DEADLINE_MS).then(() => ({ done: false as const })),
  ]);
  const drainError = await drain(rig);
  const recoverS = (Date.now() - struck) / 1000;
  const deadLettered = (await withAdmin(rig, deadLetters)) - dlqBefore;
  const { report, fresh } = await check(rig, fault, known);
  const waiting = last as Progress | null;
  const expired = finished.done ? finished.result.records.filter((r) => r.resolution.status === 'expired').length : 0;
  const outcome: Outcome = {
    fault: fault.name,
    inFlight,
    lost: fresh.filter((v) => LOST.includes(v.kind)).length,
    duplicated: fresh.filter((v) => DUPLICATED.includes(v.kind)).length,
    violations: fresh.length,
    stuck: finished.done ? 0 : waiting ? waiting.proposed - waiting.resolved : LOAD.decisions,
    agentErrors: finished.done ? finished.result.failures.length : 0,
    deadLettered,
    recoverS,
    notes: [
      ...(drainError ? [drainError] : []),
      ...(finished.done
        ? []
        : [
            `the agent was still waiting for resolutions after ${AGENT_DEADLINE_MS / 1000} s; ${report.counts.awaitingReview} decision(s) of the run await a reviewer (not expired)`,
          ]),
      ...rig.fleet.unexpectedExits.splice(0).map((e) => `${e} (restarted)`),
      ...fresh.slice(0, 5).map((v) => `${v.kind} ${v.subject}: ${v.detail}`),
      ...(finished.done ? finished.result.failures.slice(0, 3).map((f) => `agent: ${f}`) : []),
      ...(expired > 0 ? [`${expired} decision(s) expired: no reviewer decided within ${REVIEW_EXPIRY_S} s`] : []),
    ],
  };
  if (drainError) outcome.violations += 1;
  log(`${fault.name}: recovered in ${recoverS.toFixed(1)} s, ${fresh.length} new violation(s), ${deadLettered} dead-lettered`);
  return outcome;
}

/** Three replica processes of the refund agent; one is killed with kill -9 mid-way and restarted (inside runFleet). */
async function runFleetFault(rig: Rig, fault: Fault, seed: number, known: Set<string>): Promise<Outcome> {
  const dlqBefore = await withAdmin(rig, deadLetters);
  const workDir = mkdtempSync(join(tmpdir(), 'hitl-faults-fleet-'));
  const struck = Date.now();
  let inFlight = 0;
  let result: FleetResult;
  try {
    log(`${fault.name}: ${FLEET.decisions} decisions over ${FLEET.replicas} replicas`);
    result = await runFleet({
      brokers: rig.broker.brokers,
      databaseUrl: rig.postgres.url,
      ...agentTrust(),
      escalationUrl: rig.fleet.url('escalation'),
      reviewers: REVIEWERS,
      decisions: FLEET.decisions,
      replicas: FLEET.replicas,
      rate: FLEET.rate,
      seed,
      killAt: FLEET.killAt,
      restartAfterMs: FLEET.restartAfterMs,
      workDir,
      deadlineMs: AGENT_DEADLINE_MS,
      onProgress: (p) => {
        if (p.proposed < FLEET.killAt * p.total) inFlight = p.proposed - p.resolved;
      },
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const drainError = await drain(rig);
  const recoverS = (Date.now() - struck) / 1000;
  const deadLettered = (await withAdmin(rig, deadLetters)) - dlqBefore;
  const { fresh } = await check(rig, fault, known);
  const expired = result.statuses.expired ?? 0;
  const outcome: Outcome = {
    fault: fault.name,
    inFlight,
    lost: fresh.filter((v) => LOST.includes(v.kind)).length + result.neverActed.length,
    duplicated: fresh.filter((v) => DUPLICATED.includes(v.kind)).length + result.actedTwice.length + result.doubleRefunds.length,
    violations: fresh.length + result.actedTwice.length + result.doubleRefunds.length,
    stuck: result.neverActed.length,
    agentErrors: 0,
    deadLettered,
    recoverS,
    notes: [
      `${result.actedOnce} of ${result.decisions.length} outcomes acted on exactly once (${Object.entries(result.statuses)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}); handlers ran ${result.handlerRuns} times; ${result.resumedElsewhere} acted on by a replica other than the proposer`,
      ...(drainError ? [drainError] : []),
      ...rig.fleet.unexpectedExits.splice(0).map((e) => `${e} (restarted)`),
      ...fresh.slice(0, 5).map((v) => `${v.kind} ${v.subject}: ${v.detail}`),
      ...result.neverActed.slice(0, 3).map((id) => `never acted on: ${id}`),
      ...result.actedTwice.slice(0, 3).map((id) => `acted on twice: ${id}`),
      ...(expired > 0 ? [`${expired} decision(s) expired: no reviewer decided within ${REVIEW_EXPIRY_S} s`] : []),
    ],
  };
  if (drainError) outcome.violations += 1;
  log(`${fault.name}: done in ${recoverS.toFixed(1)} s, ${fresh.length} new violation(s), ${deadLettered} dead-lettered`);
  return outcome;
}

/**
 * An agent without Kafka (GATEWAY_AGENT, by its token) proposes the refund stream through the
 * gateway, which is killed with kill -9 at 40% of the batch and restarted; the agent sends a
 * failed request again under the same decision_id. Then every decision it proposed must have
 * exactly one outcome it read back, decision.proposed must hold each of them as one proposal
 * (copies the relay re-sent after the kill are the same event), and the router must hold
 * one decision per id; and `hitl check` must pass as after every fault.
 */
async function runGatewayFault(rig: Rig, fault: Fault, seed: number, known: Set<string>): Promise<Outcome> {
  if (!rig.apps.includes('gateway')) {
    await rig.fleet.start('gateway');
    rig.apps.push('gateway');
    log('gateway healthy');
  }
  const load = gatewayLoad({
    gatewayUrl: rig.fleet.url('gateway'),
    token: GATEWAY_AGENTS[GATEWAY_AGENT].token,
    escalationUrl: rig.fleet.url('escalation'),
    reviewers: REVIEWERS,
    decisions: LOAD.decisions,
    rate: LOAD.rate,
    seed,
    deadlineMs: AGENT_DEADLINE_MS,
  });
  await eventually('the gateway agent to propose 40% of its batch', () => load.progress.proposed >= 0.4 * LOAD.decisions, { timeoutMs: 60_000, everyMs: 20 });
  const inFlight = load.progress.proposed - load.progress.resolved;
  const dlqBefore = await withAdmin(rig, deadLetters);
  log(`${fault.name}: striking with ${inFlight} decisions in flight`);
  const struck = Date.now();
  await fault.strike(rig);
  await rig.fleet.restartDead(rig.apps);
  const result = await load.done;
  const drainError = await drain(rig);
  const recoverS = (Date.now() - struck) / 1000;
  const deadLettered = (await withAdmin(rig, deadLetters)) - dlqBefore;
  const { fresh } = await check(rig, fault, known);
  const seen = await gatewayDecisionsSeen(rig, result);
  const notAnswered = result.ids.filter((id) => !result.outcomes.has(id));
  const lost = new Set([...fresh.filter((v) => LOST.includes(v.kind)).map((v) => v.subject), ...seen.neverProposed, ...notAnswered]);
  const duplicated = new Set([...fresh.filter((v) => DUPLICATED.includes(v.kind)).map((v) => v.subject), ...seen.unknown, ...seen.proposedTwice]);
  const statuses = new Map<string, number>();
  for (const { status } of result.outcomes.values()) statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const outcome: Outcome = {
    fault: fault.name,
    inFlight,
    lost: lost.size,
    duplicated: duplicated.size + Math.max(0, seen.routerRows - seen.distinct),
    violations:
      fresh.length +
      seen.unknown.length +
      seen.proposedTwice.length +
      seen.neverProposed.length +
      seen.misread.length +
      result.errors.length +
      (drainError ? 1 : 0),
    stuck: notAnswered.length,
    agentErrors: result.retriedDecisions,
    deadLettered,
    recoverS,
    notes: [
      `${result.outcomes.size} of ${result.ids.length} decisions read back with one outcome each (${[...statuses].map(([k, n]) => `${n} ${k}`).join(', ')}); ` +
        `${result.retriedDecisions} decisions' POSTs failed (${result.failedPosts} attempts) and were sent again under the same decision_id until the gateway had them (${result.replays} answered 200: the attempt before had landed), ` +
        `${result.failedReads} long-polls cut and asked again`,
      `decision.proposed holds ${seen.distinct} decisions of ${GATEWAY_AGENT} in ${seen.messages} messages (${seen.messages - seen.distinct} copies re-sent by the gateway's relay, the same event); router.decisions holds ${seen.routerRows}`,
      ...(drainError ? [drainError] : []),
      ...rig.fleet.unexpectedExits.splice(0).map((e) => `${e} (restarted)`),
      ...fresh.slice(0, 5).map((v) => `${v.kind} ${v.subject}: ${v.detail}`),
      ...result.errors.slice(0, 3).map((e) => `agent: ${e}`),
      ...notAnswered.slice(0, 3).map((id) => `no outcome read back: ${id}`),
      ...seen.unknown.slice(0, 3).map((id) => `a decision of ${GATEWAY_AGENT} the agent never proposed: ${id}`),
      ...seen.proposedTwice.slice(0, 3).map((id) => `proposed twice (two events): ${id}`),
      ...seen.neverProposed.slice(0, 3).map((id) => `acknowledged by the gateway, never on decision.proposed: ${id}`),
      ...seen.misread.slice(0, 3).map((id) => `the outcome read back is not the one approval.resolved holds: ${id}`),
      ...((statuses.get('expired') ?? 0) > 0 ? [`${statuses.get('expired')} decision(s) expired: no reviewer decided within ${REVIEW_EXPIRY_S} s`] : []),
    ],
  };
  log(`${fault.name}: recovered in ${recoverS.toFixed(1)} s, ${fresh.length} new violation(s), ${deadLettered} dead-lettered`);
  return outcome;
}

/** What the broker and the router hold of the gateway agent's decisions, against what the agent proposed and read back. */
async function gatewayDecisionsSeen(rig: Rig, result: GatewayLoadResult) {
  const kafka = new Kafka({ clientId: 'hitl-faults-reader', brokers: rig.broker.brokers, logLevel: logLevel.NOTHING });
  const parse = (value: Buffer | null) => JSON.parse(value?.toString() ?? 'null') as { id: string; source?: string; data?: { decision_id?: string } } | null;
  const proposals = new Map<string, Set<string>>();
  let messages = 0;
  for (const message of await readWholeTopic(kafka, Topics.DecisionProposed, 120_000)) {
    const event = parse(message.value);
    const decision = event?.data?.decision_id?.toLowerCase();
    if (!event || event.source !== `agent/${GATEWAY_AGENT}` || !decision) continue;
    messages += 1;
    proposals.set(decision, (proposals.get(decision) ?? new Set()).add(event.id));
  }
  const resolutions = new Map<string, Set<string>>();
  const ours = new Set(result.ids);
  for (const message of await readWholeTopic(kafka, Topics.ApprovalResolved, 120_000)) {
    const event = parse(message.value);
    const decision = event?.data?.decision_id?.toLowerCase();
    if (event && decision && ours.has(decision)) resolutions.set(decision, (resolutions.get(decision) ?? new Set()).add(event.id));
  }
  return {
    messages,
    distinct: proposals.size,
    /** Decisions of lambda-bot under an id the agent never sent: a retry that became a second decision. */
    unknown: [...proposals.keys()].filter((id) => !ours.has(id)),
    /** Decisions with two different proposal events (the gateway proposed one decision twice). */
    proposedTwice: [...proposals].filter(([, events]) => events.size > 1).map(([id]) => id),
    /** Decisions the gateway acknowledged (202, or 200 to a retry) that never reached decision.proposed. */
    neverProposed: [...result.acknowledged].filter((id) => !proposals.has(id)),
    /** Outcomes read back that are not the one approval.resolved holds for the decision. */
    misread: [...result.outcomes].filter(([id, o]) => resolutions.get(id)?.size !== 1 || !resolutions.get(id)?.has(o.eventId)).map(([id]) => id),
    routerRows: await rig.postgres.count(`SELECT count(*) AS n FROM router.decisions WHERE agent_id = '${GATEWAY_AGENT}'`),
  };
}

async function drain(rig: Rig): Promise<string | null> {
  try {
    await withAdmin(rig, (admin) => waitDrained(admin, rig.postgres, DRAIN_TIMEOUT_MS, rig.apps));
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** hitl check's invariants over the whole run, and the violations that are new since the last fault. */
async function check(rig: Rig, fault: Fault, known: Set<string>) {
  const run = hitlCheck(rig, ['--json'], 'pipe');
  // 0: it holds, 1: violations (both print the report); anything else: the run could not be read.
  if (run.status !== 0 && run.status !== 1) throw new Error(`hitl check exited ${run.status ?? run.signal}: ${run.stderr.trim()}`);
  const report = JSON.parse(run.stdout) as CheckReport;
  await fault.after?.(rig);
  // The check covers the whole run so far: count what is new since the last fault.
  const fresh = report.violations.filter((v) => !known.has(`${v.kind}:${v.subject}`));
  for (const v of fresh) known.add(`${v.kind}:${v.subject}`);
  return { report, fresh };
}

/**
 * The built command line over the whole run, as an operator would run it (a process: the
 * harness never imports an app). The run's keys (SERVICE_KEYS, AGENTS_PATH) make a forged
 * event count for nothing.
 */
function hitlCheck(rig: Rig, extra: string[], stdio: 'pipe' | 'inherit') {
  const args = [
    resolve(root, 'apps/cli/bin/hitl.js'),
    'check',
    '--brokers',
    rig.broker.brokers.join(','),
    '--audit-url',
    rig.fleet.url('audit'),
    '--calibrator-db',
    rig.postgres.url,
    '--manifest',
    manifestPath,
    ...extra,
  ];
  return spawnSync(process.execPath, args, {
    cwd: root,
    stdio,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...testTrust().env(), AUDITOR_TOKEN: AUDITOR_TOKEN, MANIFEST_MIN_TIER_SHARE_SECONDS: '1' },
  });
}

async function main(): Promise<number> {
  const started = Date.now();
  const [pgPort, kafkaPort, controllerPort] = [await freePort(), await freePort(), await freePort()];
  const postgres = new OwnPostgres(pgPort);
  const broker = new OwnBroker(kafkaPort, controllerPort, pgPort);
  let fleet: Fleet | null = null;
  let cleaned: Promise<void> | null = null;
  // Ours, all of it: the services, the broker, the cluster and its directory, the manifest copy.
  const cleanUp = () =>
    (cleaned ??= (async () => {
      await fleet?.stop().catch(() => undefined);
      try {
        broker.stop();
      } catch (error) {
        console.error(`stopping our broker: ${(error as Error).message}`);
      }
      postgres.remove();
      rmSync(dirname(manifestPath), { recursive: true, force: true });
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping what the fault run started`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  const outcomes: Outcome[] = [];
  let cliVerdict = 1;
  try {
    log(`our PostgreSQL on ${pgPort} (${postgres.dir}), our broker on ${kafkaPort}`);
    await postgres.init();
    broker.startClean();
    fleet = new Fleet({ brokers: broker.brokers, databaseUrl: postgres.url, manifestPath });
    for (const name of SERVICES) await fleet.start(name);
    log('four services healthy');
    const rig: Rig = { broker, postgres, fleet, apps: [...SERVICES] };
    const known = new Set<string>();
    const faults = FAULTS.filter((f) => (!small || f.inSmall) && (only === undefined || f.name.includes(only)));
    for (const [i, fault] of faults.entries()) {
      const outcome = await runFault(rig, fault, 1000 + i, known);
      outcomes.push(outcome);
      // A batch still running would share the agent's consumer group with the next one and take its resolutions.
      if (outcome.stuck > 0) {
        console.error(`${fault.name}: the agent never got every resolution; the remaining faults are not run`);
        break;
      }
    }
    log('hitl check over the whole run:');
    cliVerdict = hitlCheck(rig, [], 'inherit').status ?? 1;
  } finally {
    await cleanUp();
  }
  const minutes = (Date.now() - started) / 60_000;
  console.log(`\n${formatTable(outcomes)}\n`);
  console.log(`${small ? 'small' : 'full'} run: ${outcomes.length} faults, ${LOAD.decisions} decisions each at ${LOAD.rate}/s, in ${minutes.toFixed(1)} min`);
  const failed = outcomes.filter((o) => o.lost > 0 || o.duplicated > 0 || o.violations > 0 || o.stuck > 0).map((o) => o.fault);
  if (cliVerdict !== 0) failed.push(`hitl check over the whole run exited ${cliVerdict}`);
  if (!small)
    writeFileSync(
      resolve(root, 'docs/faults.md'),
      markdownTable(outcomes, { minutes, load: LOAD, reviewExpiryS: REVIEW_EXPIRY_S, deadlineS: AGENT_DEADLINE_MS / 1000, date: new Date() }),
    );
  if (failed.length > 0) {
    console.error(`FAILED: ${failed.join('; ')}`);
    return 1;
  }
  console.log('ok: nothing lost, nothing duplicated, nothing stuck, every invariant held after every fault');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
