// `npm run demo`: the worked refund example on the real services. Starts the four built
// services (apps/*/dist) with tokens made up for this run and the refunds manifest, runs
// the refund agent and a simulated review desk (examples/refund-agent), prints the tally
// and where to look next, and keeps the services running until Ctrl-C.
//
//   node -r @swc-node/register scripts/demo.ts [--decisions N] [--exit]
//   DEMO_DECISIONS=N (default 300), DEMO_SEED=n (replay a stream), KAFKA_BROKERS, and
//   on a secured cluster the services' KAFKA_SSL* and KAFKA_SASL* (the agent uses them too)
//
// Service logs go to .infra/demo-logs/<service>.log.
//
// Signing keys: the router, the escalation service and the refund agent sign what they
// emit; scripts/local-keys.js makes the missing ones, as `npm start` does.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { kafkaClientSecurity, loadKafkaSecurity } from '@hitl/messaging';
import { runRefundAgent } from '../examples/refund-agent/run';
import { formatTally } from '../examples/refund-agent/tally';
import { ensureLocalKeys, jwksFile, keyFile, localTrustEnv } from './local-keys';

const root = resolve(__dirname, '..');
const services = [
  { name: 'router', port: 3001 },
  { name: 'escalation', port: 3002 },
  { name: 'audit', port: 3003 },
  { name: 'calibrator', port: 3004 },
] as const;
const logDir = resolve(root, '.infra/demo-logs');
const children = new Map<string, ChildProcess>();
let stopping = false;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const exitAfter = process.argv.includes('--exit');
const decisions = Number(argValue('--decisions') ?? process.env.DEMO_DECISIONS ?? 300);
if (!Number.isInteger(decisions) || decisions < 1) {
  console.error(`--decisions / DEMO_DECISIONS must be a whole number above 0 (got ${argValue('--decisions') ?? process.env.DEMO_DECISIONS})`);
  process.exit(2);
}
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const token = (who: string) => `${who}-${randomBytes(18).toString('hex')}`;
const tokens = {
  REVIEWER_TOKEN_ALICE: token('alice'),
  REVIEWER_TOKEN_BRUNO: token('bruno'),
  REVIEWER_TOKEN_CHEN: token('chen'),
  REVIEWER_TOKEN_DANA: token('dana'),
  REVIEWER_TOKEN_EMIL: token('emil'),
  AUDITOR_TOKEN_COMPLIANCE: token('compliance'),
};

const tty = process.stdout.isTTY;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);

function logTail(name: string, lines = 20): string {
  try {
    return readFileSync(resolve(logDir, `${name}.log`), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function answers(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/healthz`)
    .then((r) => r.status === 200)
    .catch(() => false);
}

/** The reviewer console, started after the four services (its /healthz reports them). */
const consolePort = 3005;

function startService(name: string, built = `apps/${name}/dist/main.js`): void {
  const main = resolve(root, built);
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
  const log = createWriteStream(resolve(logDir, `${name}.log`), { flags: 'w' });
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: { ...process.env, ...tokens, ...localTrustEnv(name), MANIFEST_PATH: resolve(root, 'manifests/refunds.yaml'), SLA_SCAN_INTERVAL_MS: '500' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); its log ends:\n${logTail(name)}\nstopping the others`);
      void stop(1);
    }
  });
  children.set(name, child);
}

async function stop(code: number): Promise<never> {
  stopping = true;
  const exits = [...children.values()].map((child) => new Promise((done) => child.once('exit', done)));
  for (const child of children.values()) child.kill('SIGTERM');
  const killer = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 10_000);
  await Promise.all(exits);
  clearTimeout(killer);
  process.exit(code);
}

async function main(): Promise<void> {
  const ports = [...services, { name: 'console', port: consolePort }];
  const busy = (await Promise.all(ports.map((s) => answers(s.port)))).map((up, i) => (up ? ports[i].name : null)).filter(Boolean);
  if (busy.length > 0) {
    console.error(`already answering on their ports: ${busy.join(', ')}. Stop the running services (npm start) first: the demo starts its own, with tokens of its own.`);
    process.exit(1);
  }
  // The services' TLS and SASL variables, for the agent too: a bad one stops the demo before anything starts.
  const agentKafka = kafkaClientSecurity(loadKafkaSecurity(process.env));
  mkdirSync(logDir, { recursive: true });
  ensureLocalKeys();
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  console.log(bold('hitl demo: the refund agent of acme-support'));
  console.log(`starting router, escalation, audit, calibrator (logs in ${logDir}/) ...`);
  const t0 = Date.now();
  for (const s of services) startService(s.name);
  const deadline = Date.now() + 90_000;
  for (const s of services) {
    while (!(await answers(s.port))) {
      if (stopping) return;
      if (Date.now() > deadline) {
        console.error(`${s.name} not healthy within 90 s; its log ends:\n${logTail(s.name)}`);
        await stop(1);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  console.log(`all four healthy in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  startService('console', 'apps/console/dist/server/main.js');
  while (!(await answers(consolePort))) {
    if (stopping) return;
    if (Date.now() > deadline + 30_000) {
      console.error(`console not healthy in time; its log ends:\n${logTail('console')}`);
      await stop(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`reviewer console: http://127.0.0.1:${consolePort}/  (sign in as alice with ${tokens.REVIEWER_TOKEN_ALICE})\n`);

  console.log(`${decisions} decisions by the agent; a desk of 3 support agents and 2 finance leads reviews what the policy sends to people.`);
  const result = await runRefundAgent({
    brokers,
    ...agentKafka,
    // The agent signs its proposals with its key and acts only on resolutions the services signed.
    signingKey: keyFile('refund-bot'),
    trustedKeys: { router: jwksFile('router'), escalation: jwksFile('escalation') },
    escalationUrl: 'http://127.0.0.1:3002',
    reviewers: [
      { name: 'alice', token: tokens.REVIEWER_TOKEN_ALICE },
      { name: 'bruno', token: tokens.REVIEWER_TOKEN_BRUNO },
      { name: 'chen', token: tokens.REVIEWER_TOKEN_CHEN },
      { name: 'dana', token: tokens.REVIEWER_TOKEN_DANA },
      { name: 'emil', token: tokens.REVIEWER_TOKEN_EMIL },
    ],
    decisions,
    seed: process.env.DEMO_SEED ? Number(process.env.DEMO_SEED) : undefined,
    onProgress: (p) =>
      console.log(
        `  ${String(Math.round(p.elapsedMs / 1000)).padStart(3)} s  proposed ${String(p.proposed).padStart(4)}/${p.total}  auto ${String(p.auto).padStart(4)}  in review ${String(p.inReview).padStart(3)}  resolved ${String(p.resolved).padStart(4)}`,
      ),
  });

  console.log(`\n${bold('tally')} (from the ${result.records.length} resolutions the agent received, in ${(result.elapsedMs / 1000).toFixed(1)} s)`);
  console.log(formatTally(result.tally));
  console.log(`  desk                       ${result.desk.approved} approved, ${result.desk.edited} edited, ${result.desk.denied} denied (${result.desk.conflicts} conflicts, ${result.desk.errors} errors)`);
  const dlqGrew = result.malformed.before >= 0 && result.malformed.after > result.malformed.before;
  console.log(
    `  malformed message          1 published raw to ${result.malformed.topic}; ${dlqGrew ? `dead-lettered to ${result.malformed.dlq} by each service reading it (${result.malformed.before} -> ${result.malformed.after} messages)` : `DLQ ${result.malformed.dlq} holds ${result.malformed.after} message(s)`}`,
  );
  if (result.failures.length > 0) console.log(`  failures                   ${result.failures.length}: ${result.failures.slice(0, 3).join('; ')}`);

  console.log(`\n${bold('look closer')}`);
  if (result.reviewedDecisionId) {
    console.log('  the audit timeline of a reviewed decision:');
    console.log(`    curl -s -H "Authorization: Bearer ${tokens.AUDITOR_TOKEN_COMPLIANCE}" http://127.0.0.1:3003/audit/decisions/${result.reviewedDecisionId}/timeline`);
  }
  console.log('  the calibration report (ask for one, then read them):');
  console.log(
    `    curl -s -X POST -H "Authorization: Bearer ${tokens.AUDITOR_TOKEN_COMPLIANCE}" -H 'content-type: application/json' -d '{"window_days":1,"workspace":"acme-support"}' http://127.0.0.1:3004/reports`,
  );
  console.log(`    curl -s -H "Authorization: Bearer ${tokens.AUDITOR_TOKEN_COMPLIANCE}" http://127.0.0.1:3004/reports`);
  console.log(`  a reviewer's inbox (alice):  curl -s -H "Authorization: Bearer ${tokens.REVIEWER_TOKEN_ALICE}" http://127.0.0.1:3002/approvals`);
  console.log(`  the reviewer console:        http://127.0.0.1:${consolePort}/  reviewer token (alice) ${tokens.REVIEWER_TOKEN_ALICE}; auditor token for Calibration ${tokens.AUDITOR_TOKEN_COMPLIANCE}`);
  console.log(`  service logs: ${logDir}/`);

  if (exitAfter) {
    console.log('\nstopping the services (--exit)');
    await stop(result.failures.length > 0 ? 1 : 0);
  }
  console.log('\nthe services keep running with these tokens; Ctrl-C stops them.');
}

main().catch(async (error: Error) => {
  console.error(`demo failed: ${error.stack ?? error.message}`);
  if (children.size > 0) await stop(1);
  process.exit(1);
});
