// `npm run soak`: the demo at a sustained rate for a set time. Starts the demo's services
// (scripts/demo.ts's startDemoServices, without the console), runs the refund agent and the
// demo's desk (blocking work first, then post-reviews), and prints per minute: decisions
// proposed and resolved, the backlog by queue (GET /queues, summed over roles) with the
// decisions the agent still waits on, and each service's resident memory. After the last
// proposal it keeps going until the blocking backlog is back to zero (at most 5 minutes),
// then prints the verdict and exits 1 when a rule fails.
//
//   node -r @swc-node/register scripts/soak.ts [--decisions N | --minutes M] [--rate R] [--seed S]
//   defaults: 6000 decisions at 20 a second; --minutes M proposes for M minutes at the rate
//
// The table goes to .infra/soak/<time>.json too (for docs/benchmarks.md); service logs to
// .infra/demo-logs/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { SERVICES } from '@hitl/testing';
import { Progress, runRefundAgent } from '../examples/refund-agent/run';
import {
  Backlog,
  QueueLine,
  SoakSample,
  backlogOf,
  drainedAtMs,
  formatHeader,
  formatRow,
  formatVerdict,
  minuteOf,
  minuteRows,
  soakVerdict,
} from '../examples/refund-agent/soak-report';
import { DemoServices, argValue, bold, startDemoServices } from './demo';

const root = resolve(__dirname, '..');
/** How often the soak looks: the agent's progress, the queues, each service's memory. */
const SAMPLE_MS = 2_000;
/** The longest it waits after the last proposal for the blocking backlog to drain. */
const DRAIN_CAP_MS = 5 * 60_000;

function numberOption(name: string, fallback: number, valid: (n: number) => boolean): number {
  const given = argValue(name);
  const value = given === undefined ? fallback : Number(given);
  if (!valid(value)) {
    console.error(`${name} must be a positive number (got ${given})`);
    process.exit(2);
  }
  return value;
}

const rate = numberOption('--rate', 20, (n) => Number.isFinite(n) && n > 0);
const minutes = argValue('--minutes') === undefined ? undefined : numberOption('--minutes', 0, (n) => Number.isFinite(n) && n > 0);
const decisions = minutes === undefined ? numberOption('--decisions', 6000, (n) => Number.isInteger(n) && n > 0) : Math.max(1, Math.round(minutes * 60 * rate));
const seed = argValue('--seed') === undefined ? Date.now() : numberOption('--seed', 0, Number.isInteger);

let started: DemoServices | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The acme-support queues as a desk reviewer reads them; null when the escalation does not answer. */
async function backlog(demo: DemoServices): Promise<Backlog | null> {
  try {
    const res = await fetch(`${demo.launcher.url('escalation')}/queues`, { headers: { authorization: `Bearer ${demo.reviewers[0].token}` } });
    if (res.status !== 200) return null;
    return backlogOf(((await res.json()) as { queues: QueueLine[] }).queues);
  } catch {
    return null;
  }
}

/** Each service's VmRSS now, in MiB (NaN for one that is not running). */
function memory(demo: DemoServices): Record<string, number> {
  const rss: Record<string, number> = {};
  for (const name of SERVICES) {
    try {
      rss[name] = demo.launcher.replicas(name)[0]?.rssMib() ?? Number.NaN;
    } catch {
      rss[name] = Number.NaN;
    }
  }
  return rss;
}

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  console.log(bold(`hitl soak: ${decisions} decisions at ${rate} a second (seed ${seed}), the demo's desk of 3 support agents and 2 finance leads`));
  const demo = await startDemoServices({ console: false });
  started = demo;
  const services = [...SERVICES];
  const before = await backlog(demo);
  const baselineBlocking = before?.blocking ?? 0;
  if (baselineBlocking > 0) console.log(`${baselineBlocking} blocking approvals of earlier runs are open: the drain is judged against that many, not zero`);

  const samples: SoakSample[] = [];
  let progress: Progress | null = null;
  let runDone = false;
  const abort = new AbortController();
  const t0 = Date.now();
  const run = runRefundAgent({ ...demo.agent, decisions, rate, seed, onProgress: (p) => (progress = p), stopWaiting: abort.signal }).finally(() => {
    runDone = true;
  });
  // Its failure is thrown where it is awaited, after the sampling stops: not an unhandled rejection meanwhile.
  run.catch(() => undefined);
  const now = () => progress as Progress | null;
  // Minute 1 starts with the first proposal: the agent connects to the broker first.
  while (now()?.firstProposedMs == null && !runDone) await sleep(100);
  const firstProposedMs = now()?.firstProposedMs ?? 0;
  const proposingFrom = t0 + firstProposedMs;
  console.log(`the agent connected in ${(firstProposedMs / 1000).toFixed(1)} s; minute 1 starts with its first proposal`);
  /** When the last proposal went out, in ms since the first; null until then. */
  const lastProposed = () => {
    const last = now()?.lastProposedMs ?? null;
    return last === null ? null : last - firstProposedMs;
  };

  const take = async (): Promise<SoakSample> => {
    const p = now();
    const sample: SoakSample = {
      atMs: Date.now() - proposingFrom,
      proposed: p?.proposed ?? 0,
      resolved: p?.resolved ?? 0,
      waiting: p ? p.proposed - p.resolved - p.failed : 0,
      backlog: await backlog(demo),
      rssMib: memory(demo),
    };
    samples.push(sample);
    return sample;
  };

  console.log(`\n${formatHeader(services)}`);
  let printed = 0;
  let capped = false;
  while (true) {
    await sleep(SAMPLE_MS);
    const sample = await take();
    // Each minute once it is over.
    for (const row of minuteRows(samples).filter((r) => r.minute > printed && r.minute < minuteOf(sample.atMs))) {
      console.log(formatRow(row, services));
      printed = row.minute;
    }
    const lastProposedMs = lastProposed();
    if (lastProposedMs === null) {
      if (runDone) break; // it ended before its last proposal: `await run` says why
      continue;
    }
    if (runDone && drainedAtMs(samples, lastProposedMs, baselineBlocking) !== null) break;
    if (sample.atMs - lastProposedMs > DRAIN_CAP_MS) {
      capped = true;
      abort.abort();
      break;
    }
  }
  const result = await run;
  await take();
  const rows = minuteRows(samples);
  // A last minute that ended early is marked partial (*).
  for (const row of rows.filter((r) => r.minute > printed)) console.log(formatRow(row, services, row.endMs < row.minute * 60_000 - 2 * SAMPLE_MS));
  if (capped) console.log(`(stopped waiting ${DRAIN_CAP_MS / 60_000} minutes after the last proposal)`);

  const lastProposedMs = lastProposed();
  const verdict = soakVerdict({
    decisions,
    records: result.records.length,
    failures: result.failures.length,
    samples,
    lastProposedMs,
    baselineBlocking,
    services,
  });
  const end = samples[samples.length - 1].backlog;
  const { desk, tally } = result;
  console.log(`\n${bold('run')}`);
  console.log(
    `  ${decisions} proposals in ${((lastProposedMs ?? 0) / 1000).toFixed(1)} s (${(decisions / Math.max(1, (lastProposedMs ?? 0) / 1000)).toFixed(1)} a second); ` +
      `${result.records.length} resolutions: ${tally.autoApproved} auto-approved, ${tally.reviews} reviewed by a person, ${tally.timeouts} timed out, ${tally.blocks} blocked`,
  );
  console.log(
    `  desk: ${desk.approved} approved, ${desk.edited} edited, ${desk.denied} denied; post-reviews ${desk.reviewed} confirmed, ${desk.rolledBack} rolled back (${desk.conflicts} conflicts, ${desk.errors} errors)`,
  );
  if (end)
    console.log(
      `  post-reviews open at the end ${end.postReview}; in the last 24 h ${end.unreviewed24h} ended unreviewed, ${end.backedOff24h} not queued (reviewers at capacity)`,
    );
  if (result.failures.length > 0) console.log(`  failures ${result.failures.length}: ${result.failures.slice(0, 3).join('; ')}`);
  console.log(`\n${bold('verdict')}`);
  for (const line of formatVerdict(verdict)) console.log(line);

  const at = new Date(t0).toISOString();
  const file = resolve(root, '.infra/soak', `${at.replace(/[:.]/g, '-')}.json`);
  mkdirSync(resolve(root, '.infra/soak'), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify(
      {
        started_at: at,
        commit: commit(),
        machine: { cores: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version },
        options: { decisions, rate, seed, sample_ms: SAMPLE_MS },
        // ms since the first proposal, as the minutes count
        last_proposal_ms: lastProposedMs,
        baseline_blocking: baselineBlocking,
        minutes: rows,
        end_backlog: end,
        desk,
        verdict,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nthe table: ${file}`);
  await demo.stop(verdict.ok ? 0 : 1);
}

main().catch((error: Error) => {
  console.error(`soak failed: ${error.stack ?? error.message}`);
  void (started ? started.stop(1) : process.exit(1));
});
