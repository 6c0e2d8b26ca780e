// Runs the four services (built into apps/*/dist), waits until each /healthz answers
// healthy, then the reviewer console (apps/console/dist/server, port 3005) in front of
// them, and keeps them running until Ctrl-C. With --check it exits 0 once all are
// healthy (CI uses this to prove the README's run line).
//
// Signing keys: the router and the escalation service sign every event they emit, and the
// agents of config/agents.yaml sign theirs. scripts/local-keys.js makes the throwaway keys
// of this machine that are missing and gives each service its trust variables.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureLocalKeys, localTrustEnv } from './local-keys.js';

const root = resolve(import.meta.dirname, '..');
const services = [
  { name: 'router', port: 3001 },
  { name: 'escalation', port: 3002 },
  { name: 'audit', port: 3003 },
  { name: 'calibrator', port: 3004 },
];
// Started once the four answer: its /healthz reports them.
const consoleApp = { name: 'console', port: 3005, main: 'apps/console/dist/server/main.js' };
const checkOnly = process.argv.includes('--check');
const colours = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m'];
const children = new Map();
let stopping = false;

function start({ name, main: built }, i) {
  const main = resolve(root, built ?? `apps/${name}/dist/main.js`);
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
  const child = spawn(process.execPath, [main], { cwd: root, env: { ...process.env, ...localTrustEnv(name, process.env) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = process.stdout.isTTY ? `${colours[i]}${name.padEnd(10)}\x1b[0m| ` : `${name.padEnd(10)}| `;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the others`);
      stop(1);
    }
  });
  children.set(name, child);
}

async function healthy(port, deadline) {
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function stop(code) {
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const exitWhenDone = () => (children.size === 0 ? process.exit(code) : setTimeout(exitWhenDone, 100));
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 10_000).unref();
  exitWhenDone();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

try {
  ensureLocalKeys();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
services.forEach(start);
const deadline = Date.now() + 90_000;
const results = await Promise.all(services.map((s) => healthy(s.port, deadline)));
if (results.some((ok) => !ok)) {
  console.error(`not healthy in time: ${services.filter((_, i) => !results[i]).map((s) => s.name).join(', ')}`);
  stop(1);
} else {
  start(consoleApp, services.length);
  if (!(await healthy(consoleApp.port, Date.now() + 30_000))) {
    console.error('not healthy in time: console');
    stop(1);
  } else {
    console.log('\nhitl is running:');
    for (const s of services) console.log(`  ${s.name.padEnd(10)} http://127.0.0.1:${s.port}/healthz  /metrics`);
    console.log(`  ${'console'.padEnd(10)} http://127.0.0.1:${consoleApp.port}/  (sign in with a reviewer token: a REVIEWER_TOKEN_* of config/reviewers.yaml)`);
    if (checkOnly) {
      console.log('all four services and the console healthy; stopping (--check)');
      stop(0);
    } else {
      console.log('Ctrl-C stops them.');
    }
  }
}
