// `npm run demo`: the worked refund example on the real services. Starts the four built
// services (apps/*/dist) with tokens made up for this run and the refunds manifest, runs
// the refund agent and a simulated review desk (examples/refund-agent: what agents wait on
// first, then the post-reviews), prints the tally and where to look next, and keeps the
// services running until Ctrl-C. `npm run soak` (scripts/soak.ts) starts the same services
// through startDemoServices and runs the agent at a sustained rate.
//
//   node -r @swc-node/register scripts/demo.ts [--decisions N] [--exit]
//   DEMO_DECISIONS=N (default 300), DEMO_SEED=n (replay a stream), KAFKA_BROKERS, and
//   on a secured cluster the services' KAFKA_SSL* and KAFKA_SASL* (the agent uses them too)
//
// Service logs go to .infra/demo-logs/<service>-0.log.
//
// Signing keys: the router, the escalation service and the refund agent sign what they
// emit; scripts/local-keys.js makes the missing ones, as `npm start` does.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { kafkaClientSecurity, loadKafkaSecurity } from '@hitl/messaging';
import { APPS, AppName, Launcher, SERVICES } from '@hitl/testing';
import { gatewayWalkthrough } from '../examples/refund-agent/gateway-walkthrough';
import { handoffWalkthrough } from '../examples/refund-agent/handoff-walkthrough';
import { pauseWalkthrough } from '../examples/refund-agent/pause-walkthrough';
import { DeskReviewer } from '../examples/refund-agent/reviewer-desk';
import { reviewQualityWalkthrough, withCanaries, withRubberStamp } from '../examples/refund-agent/review-quality';
import { RunOptions, runRefundAgent } from '../examples/refund-agent/run';
import { formatTally } from '../examples/refund-agent/tally';
import { ensureLocalKeys, jwksFile, keyFile, localTrustEnv } from './local-keys';

const root = resolve(__dirname, '..');
const logDir = resolve(root, '.infra/demo-logs');
const DESK = ['alice', 'bruno', 'chen', 'dana', 'emil', 'hugo'];
/** The desk's rubber stamp (added to config/reviewers.yaml for the demo only): approves everything within 300 ms of opening it. */
const RUBBER_STAMP = 'hugo';
/** Who decides refunds first (the refunds manifest's support_agent tier). */
const SUPPORT_AGENTS = ['alice', 'bruno', 'chen', RUBBER_STAMP];
/** How long the careful reviewers read an item before deciding, in ms: longer than reading a refund takes (about 9 s). */
const CAREFUL_THINK_MS: [number, number] = [8_000, 20_000];

const tty = process.stdout.isTTY;
export const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);

/** The value after `name` on the command line. */
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The end of a replica's log (`label`: e.g. `router#0`). */
function logTail(label: string, lines = 20): string {
  try {
    return readFileSync(resolve(logDir, `${label.replace('#', '-')}.log`), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

async function answers(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/healthz`)
    .then((r) => r.status === 200)
    .catch(() => false);
}

/** The demo's services as started, with this run's tokens: what `npm run demo` and `npm run soak` share. */
export interface DemoServices {
  launcher: Launcher;
  /** The desk: four support agents (one of them a rubber stamp) and two finance leads (config/reviewers.yaml). */
  reviewers: DeskReviewer[];
  auditorToken: string;
  /** rev-grace, the reviewer directory's admin: pauses and resumes in the walk-through. */
  adminToken: string;
  /** The gateway token of refund-lambda, the demo's agent without Kafka (this run's registry lists its SHA-256). */
  gatewayToken: string;
  logDir: string;
  /** What runRefundAgent needs besides the run's own numbers. */
  agent: Pick<RunOptions, 'brokers' | 'ssl' | 'sasl' | 'signingKey' | 'trustedKeys' | 'escalationUrl' | 'reviewers'>;
  /** Stops every service, then exits with `code`. */
  stop(code: number): Promise<never>;
}

/**
 * Starts the four built services (and the reviewer console with `console`) on the README's
 * ports with tokens made up for this run; exits when something already answers there.
 */
export async function startDemoServices(options: { console: boolean }): Promise<DemoServices> {
  const token = (who: string) => `${who}-${randomBytes(18).toString('hex')}`;
  const reviewers = DESK.map((name) => ({ name, token: token(name), rubberStamp: name === RUBBER_STAMP }));
  const auditorToken = token('compliance');
  const adminToken = token('grace');
  const gatewayToken = token('refund-lambda');
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    stopping = true;
    await launcher.stop();
    process.exit(code);
  };
  // The committed manifest and reviewers, plus what shows review quality: canaries, and a rubber stamp on the desk.
  mkdirSync(resolve(root, '.infra'), { recursive: true });
  const manifestPath = resolve(root, '.infra/demo-manifest.yaml');
  writeFileSync(manifestPath, withCanaries(readFileSync(resolve(root, 'manifests/refunds.yaml'), 'utf8')));
  const reviewersPath = resolve(root, '.infra/demo-reviewers.yaml');
  writeFileSync(reviewersPath, withRubberStamp(readFileSync(resolve(root, 'config/reviewers.yaml'), 'utf8')));
  // The committed agent registry plus an agent that proposes through the gateway (no key, no Kafka), with this run's token.
  // In .infra/ like config/, so the registry's keys_file paths (../.infra/keys/...) resolve the same.
  const agentsPath = resolve(root, '.infra/demo-agents.yaml');
  const lambda = `  - id: refund-lambda\n    workspaces: [acme-support]\n    gateway_token_sha256: ${createHash('sha256').update(gatewayToken).digest('hex')}\n`;
  writeFileSync(agentsPath, readFileSync(resolve(root, 'config/agents.yaml'), 'utf8').replace(/^agents:\n/m, `agents:\n${lambda}`));
  const launcher = new Launcher({
    ports: 'readme',
    logDir,
    settings: {
      manifestPath,
      reviewersPath,
      slaScanIntervalMs: 500,
      reviewerTokens: { ...Object.fromEntries(reviewers.map((r) => [r.name, r.token])), grace: adminToken },
      auditorTokens: { compliance: auditorToken },
    },
    trust: (name) => localTrustEnv(name, { AGENTS_PATH: agentsPath }),
    onUnexpectedExit: (label, how) => {
      if (stopping) return;
      console.error(`${label} exited (${how}); its log ends:\n${logTail(label)}\nstopping the others`);
      void stop(1);
    },
    readyTimeoutMs: 90_000,
    stopGraceMs: 10_000,
  });

  const apps: AppName[] = [...SERVICES, 'console', 'gateway'];
  const busy = (await Promise.all(apps.map((name) => answers(APPS[name].port)))).map((up, i) => (up ? apps[i] : null)).filter(Boolean);
  if (busy.length > 0) {
    console.error(
      `already answering on their ports: ${busy.join(', ')}. Stop the running services (npm start) first: the demo starts its own, with tokens of its own.`,
    );
    process.exit(1);
  }
  // The services' TLS and SASL variables, for the agent too: a bad one stops the demo before anything starts.
  const agentKafka = kafkaClientSecurity(loadKafkaSecurity(process.env));
  ensureLocalKeys();
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  console.log(`starting router, escalation, audit, calibrator (logs in ${logDir}/) ...`);
  const t0 = Date.now();
  try {
    await launcher.startAll(SERVICES);
    console.log(`all four healthy in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // Started once the four answer: its /healthz reports them.
    if (options.console) await launcher.start('console', { readyTimeoutMs: 30_000 });
    await launcher.start('gateway', { readyTimeoutMs: 90_000 });
  } catch (error) {
    // Those that did start are stopped too: children outlive a parent that just exits.
    stopping = true;
    await launcher.stop();
    throw error;
  }
  return {
    launcher,
    reviewers,
    auditorToken,
    adminToken,
    gatewayToken,
    logDir,
    agent: {
      brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
      ...agentKafka,
      // The agent signs its proposals with its key and acts only on resolutions the services signed.
      signingKey: keyFile('refund-bot'),
      trustedKeys: { router: jwksFile('router'), escalation: jwksFile('escalation') },
      escalationUrl: launcher.url('escalation'),
      reviewers,
    },
    stop,
  };
}

let started: DemoServices | undefined;

async function main(): Promise<void> {
  const exitAfter = process.argv.includes('--exit');
  const decisions = Number(argValue('--decisions') ?? process.env.DEMO_DECISIONS ?? 300);
  if (!Number.isInteger(decisions) || decisions < 1) {
    console.error(`--decisions / DEMO_DECISIONS must be a whole number above 0 (got ${argValue('--decisions') ?? process.env.DEMO_DECISIONS})`);
    process.exit(2);
  }
  console.log(bold('hitl demo: the refund agent of acme-support'));
  const demo = await startDemoServices({ console: true });
  started = demo;
  const { launcher, stop } = demo;
  const [alice] = demo.reviewers;
  const AUDITOR_TOKEN = demo.auditorToken;
  const consoleUrl = launcher.url('console');
  console.log(`reviewer console: ${consoleUrl}/  (sign in as alice with ${alice.token})\n`);

  console.log(
    `${decisions} decisions by the agent; a desk of 4 support agents (${RUBBER_STAMP} approves everything without reading it) and 2 finance leads reviews what the policy sends to people.`,
  );
  const result = await runRefundAgent({
    ...demo.agent,
    thinkMs: CAREFUL_THINK_MS,
    decisions,
    seed: process.env.DEMO_SEED ? Number(process.env.DEMO_SEED) : undefined,
    onProgress: (p) =>
      console.log(
        `  ${String(Math.round(p.elapsedMs / 1000)).padStart(3)} s  proposed ${String(p.proposed).padStart(4)}/${p.total}  auto ${String(p.auto).padStart(4)}  in review ${String(p.inReview).padStart(3)}  resolved ${String(p.resolved).padStart(4)}`,
      ),
  });

  console.log(`\n${bold('tally')} (from the ${result.records.length} resolutions the agent received, in ${(result.elapsedMs / 1000).toFixed(1)} s)`);
  console.log(formatTally(result.tally));
  console.log(
    `  desk                       ${result.desk.approved} approved, ${result.desk.edited} edited, ${result.desk.denied} denied; post-reviews ${result.desk.reviewed} confirmed, ${result.desk.rolledBack} rolled back (${result.desk.conflicts} conflicts, ${result.desk.errors} errors)`,
  );
  const dlqGrew = result.malformed.before >= 0 && result.malformed.after > result.malformed.before;
  console.log(
    `  malformed message          1 published raw to ${result.malformed.topic}; ${dlqGrew ? `dead-lettered to ${result.malformed.dlq} by each service reading it (${result.malformed.before} -> ${result.malformed.after} messages)` : `DLQ ${result.malformed.dlq} holds ${result.malformed.after} message(s)`}`,
  );
  if (result.failures.length > 0) console.log(`  failures                   ${result.failures.length}: ${result.failures.slice(0, 3).join('; ')}`);

  console.log(
    `\n${bold('review quality')} (the support agents work an afternoon rush; ${RUBBER_STAMP} approves whatever reaches him at a glance, and canaries are mixed in; then the calibration report of the last day)`,
  );
  await reviewQualityWalkthrough({
    agent: demo.agent,
    escalationUrl: demo.agent.escalationUrl,
    calibratorUrl: launcher.url('calibrator'),
    auditorToken: AUDITOR_TOKEN,
    reviewers: demo.reviewers.filter((r) => SUPPORT_AGENTS.includes(r.name)),
    thinkMs: CAREFUL_THINK_MS,
    seed: process.env.DEMO_SEED ? Number(process.env.DEMO_SEED) + 2 : undefined,
  });

  console.log(`\n${bold('the kill switch')} (an admin pauses the agent; what would run alone goes to a person until it is resumed)`);
  await pauseWalkthrough({ agent: demo.agent, escalationUrl: demo.agent.escalationUrl, adminToken: demo.adminToken, reviewerToken: alice.token });

  console.log(`\n${bold('get a human')} (a customer asks for a person; a support agent takes the chat over and hands it back)`);
  await handoffWalkthrough({
    agent: demo.agent,
    escalationUrl: demo.agent.escalationUrl,
    reviewerToken: alice.token,
    auditUrl: launcher.url('audit'),
    auditorToken: AUDITOR_TOKEN,
  });

  console.log(`\n${bold('agents without Kafka')} (refund-lambda proposes over HTTP through the agent gateway with its token)`);
  await gatewayWalkthrough({
    gatewayUrl: launcher.url('gateway'),
    agentToken: demo.gatewayToken,
    escalationUrl: demo.agent.escalationUrl,
    reviewerToken: alice.token,
    routerUrl: launcher.url('router'),
  });

  console.log(`\n${bold('look closer')}`);
  if (result.reviewedDecisionId) {
    console.log('  the audit timeline of a reviewed decision:');
    console.log(`    curl -s -H "Authorization: Bearer ${AUDITOR_TOKEN}" ${launcher.url('audit')}/audit/decisions/${result.reviewedDecisionId}/timeline`);
  }
  console.log('  the calibration report (ask for one, then read them):');
  console.log(
    `    curl -s -X POST -H "Authorization: Bearer ${AUDITOR_TOKEN}" -H 'content-type: application/json' -d '{"window_days":1,"workspace":"acme-support"}' ${launcher.url('calibrator')}/reports`,
  );
  console.log(`    curl -s -H "Authorization: Bearer ${AUDITOR_TOKEN}" ${launcher.url('calibrator')}/reports`);
  console.log(`  a reviewer's inbox (alice):  curl -s -H "Authorization: Bearer ${alice.token}" ${launcher.url('escalation')}/approvals`);
  console.log(`  the reviewer console:        ${consoleUrl}/  reviewer token (alice) ${alice.token}; auditor token for Calibration ${AUDITOR_TOKEN}`);
  console.log(`  service logs: ${logDir}/`);

  if (exitAfter) {
    console.log('\nstopping the services (--exit)');
    await stop(result.failures.length > 0 ? 1 : 0);
  }
  console.log('\nthe services keep running with these tokens; Ctrl-C stops them.');
}

// Run as a script (npm run demo); imported by scripts/soak.ts for startDemoServices.
if (require.main === module)
  main().catch((error: Error) => {
    console.error(`demo failed: ${error.stack ?? error.message}`);
    void (started ? started.stop(1) : process.exit(1));
  });
