// `npm start`: the four services (built into apps/*/dist) on the README's ports, then the
// reviewer console (port 3005) in front of them once each /healthz answers and the agent
// gateway (port 3006), all kept
// running until Ctrl-C; their output here, one prefixed line at a time. With --check it
// exits 0 once all are healthy (CI uses this to prove the README's run line).
//
// Signing keys: the router and the escalation service sign every event they emit, and the
// agents of config/agents.yaml sign theirs. scripts/local-keys.js makes the throwaway keys
// of this machine that are missing and gives each app its trust variables.
import { AppName, Launcher, SERVICES } from '@hitl/testing';
import { ensureLocalKeys, localTrustEnv } from './local-keys';

const checkOnly = process.argv.includes('--check');
const colours: Record<AppName, string> = {
  router: '\x1b[36m',
  escalation: '\x1b[35m',
  audit: '\x1b[33m',
  calibrator: '\x1b[32m',
  console: '\x1b[34m',
  gateway: '\x1b[91m',
};
const prefix = (name: AppName) => (process.stdout.isTTY ? `${colours[name]}${name.padEnd(10)}\x1b[0m| ` : `${name.padEnd(10)}| `);
let stopping = false;

const launcher = new Launcher({
  ports: 'readme',
  trust: (name) => localTrustEnv(name, process.env),
  onLine: (name, line) => process.stdout.write(prefix(name) + line + '\n'),
  onUnexpectedExit: (label, how) => {
    if (stopping) return;
    console.error(`${label.split('#')[0]} exited (${how}); stopping the others`);
    void stop(1);
  },
  readyTimeoutMs: 90_000,
  stopGraceMs: 10_000,
});

async function stop(code: number): Promise<never> {
  stopping = true;
  await launcher.stop();
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  ensureLocalKeys();
  try {
    await launcher.startAll(SERVICES);
    // Started once the four answer: its /healthz reports them.
    await launcher.start('console', { readyTimeoutMs: 30_000 });
    // Agents that cannot hold a Kafka connection propose through it (agents of config/agents.yaml with a gateway_token_sha256).
    await launcher.start('gateway', { readyTimeoutMs: 90_000 });
  } catch (error) {
    console.error((error as Error).message);
    return stop(1);
  }
  console.log('\nhitl is running:');
  for (const name of SERVICES) console.log(`  ${name.padEnd(10)} ${launcher.url(name)}/healthz  /metrics`);
  console.log(`  ${'console'.padEnd(10)} ${launcher.url('console')}/  (sign in with a reviewer token: a REVIEWER_TOKEN_* of config/reviewers.yaml)`);
  console.log(`  ${'gateway'.padEnd(10)} ${launcher.url('gateway')}/v1/decisions  (agents over HTTP: a bearer token whose SHA-256 config/agents.yaml lists)`);
  if (checkOnly) {
    console.log('all four services, the console and the agent gateway healthy; stopping (--check)');
    await stop(0);
  }
  console.log('Ctrl-C stops them.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  void stop(1);
});
