// The Python client's transport (clients/python, HitlClient) on the real agent gateway: the
// router, the escalation service and the gateway as processes on the real broker and
// database, and `python3 -m pytest -q clients/python/tests_gateway` against them. The Python
// tests propose as lambda-bot with its gateway token, wait (long-poll and SSE), approve a large
// refund as alice through the reviewer API, guard the signed outcome with the keys the router
// and the escalation service publish at GET /keys (a forged one runs nothing), replay a
// decision_id, and verify a callback's Standard Webhooks signature. That folder needs the
// environment this spec gives it: without it, it fails (it skips nothing).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GATEWAY_AGENTS } from '@hitl/testing';
import { Stack, TOKENS, root } from '../support/stack';

/** Runs a command to its end (asynchronously: the services in this process keep answering meanwhile). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', fail);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}

describe('the Python client on the agent gateway (clients/python/tests_gateway)', () => {
  const stack = new Stack();
  let dir: string;

  beforeAll(async () => {
    const ready = spawnSync('python3', ['-c', 'import cryptography, pytest'], { encoding: 'utf8' });
    if (ready.status !== 0) {
      throw new Error(`python3 with cryptography and pytest is needed (Debian: apt-get install python3-cryptography python3-pytest): ${ready.stderr}`);
    }
    dir = mkdtempSync(join(tmpdir(), 'hitl-pygateway-'));
    await stack.start(['router', 'escalation', 'gateway']);
  }, 240_000);

  afterAll(async () => {
    await stack.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes against the running gateway: propose, wait, approve as a person, guard, forged outcomes, replay, callbacks', async () => {
    // The keys anyone can fetch: what the router and the escalation service publish.
    const jwks = async (service: 'router' | 'escalation') => {
      const answer = await fetch(`${stack.urls[service]}/keys`);
      expect(answer.status).toBe(200);
      const path = join(dir, `${service}.jwks.json`);
      writeFileSync(path, await answer.text());
      return path;
    };
    const env = {
      ...process.env,
      PYTHONDONTWRITEBYTECODE: '1',
      HITL_GATEWAY_URL: stack.urls.gateway,
      HITL_AGENT_TOKEN: GATEWAY_AGENTS['lambda-bot'].token,
      HITL_ROUTER_JWKS: await jwks('router'),
      HITL_ESCALATION_JWKS: await jwks('escalation'),
      HITL_ESCALATION_URL: stack.urls.escalation,
      HITL_REVIEWER_TOKEN: TOKENS.alice,
    };
    const tests = resolve(root, 'clients/python/tests_gateway');
    const result = await run('python3', ['-m', 'pytest', '-q', tests], env, 240_000);
    if (result.status !== 0) console.error(`python3 -m pytest -q clients/python/tests_gateway exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/\b8 passed\b/);
    expect(result.stdout).not.toMatch(/failed|error|skipped/i);
  }, 300_000);
});
