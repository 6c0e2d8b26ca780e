// The manifest in force: loaded at start (an invalid one stops the router, naming the
// field), reloaded on SIGHUP without dropping messages, refused when the new one is invalid.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { proposal as rawProposal, wire } from './support/raw-proposal';
import { databaseUrl as testDatabaseUrl, deleteTopicsStartingWith, eventually, freePort, query, testTrust } from '@hitl/testing';

const root = resolve(__dirname, '../../..');
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const kafka = new Kafka({ clientId: 'router-manifest-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const dir = mkdtempSync(join(tmpdir(), 'hitl-manifest-'));
const manifestPath = join(dir, 'manifest.yaml');
const id = randomBytes(4).toString('hex');
// A router process of its own (signals reach a real process, not jest's sandbox): own database, own topics.
const database = `hitl_t_router_${id}`;
const databaseUrl = testDatabaseUrl({ database });
const schema = 'router';
const prefix = `t-router-m-${id}.`;

function proposal(amount: number) {
  const event = rawProposal({ parameters: { order_id: 'ORD-9', amount_usd: amount }, confidence: 0.9 });
  return { key: event.subject, value: wire(event), decisionId: event.subject };
}

async function send(messages: { key: string; value: string }[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: `${prefix}decision.proposed`, acks: -1, messages });
  await producer.disconnect();
}

async function verdictsOf(decisionIds: string[]): Promise<Map<string, { verdict: string; manifest_version: string }>> {
  let routed = 0;
  const rows = await eventually(
    `${decisionIds.length} decisions routed`,
    async () => {
      const found = await query<{ decision_id: string; verdict: string; manifest_version: string }>(
        `SELECT decision_id, verdict, manifest_version FROM "${schema}".decisions WHERE decision_id = ANY($1::uuid[])`,
        [decisionIds],
        databaseUrl,
      );
      routed = found.length;
      return found.length === decisionIds.length && found;
    },
    { timeoutMs: 30_000, detail: () => `only ${routed} routed` },
  );
  return new Map(rows.map((r) => [r.decision_id, r]));
}

describe('the manifest in force', () => {
  let router: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    copyFileSync(resolve(root, 'manifests/refunds.yaml'), manifestPath);
    await query(`CREATE DATABASE "${database}"`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    router = spawn(process.execPath, ['-r', '@swc-node/register', resolve(root, 'apps/router/src/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        ...testTrust().env('router'),
        MANIFEST_PATH: manifestPath,
        KAFKA_BROKERS: brokers,
        DATABASE_URL: databaseUrl,
        HTTP_PORT: String(port),
        KAFKA_TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'info',
      },
    });
    router.stdout!.on('data', (d) => (output += d));
    router.stderr!.on('data', (d) => (output += d));
    await eventually(
      'the router to start',
      () =>
        fetch(`${url}/healthz`)
          .then((r) => r.ok)
          .catch(() => false),
      {
        timeoutMs: 60_000,
        everyMs: 200,
        abortIf: () => (router.exitCode !== null ? `the router exited (${router.exitCode})` : undefined),
        detail: () => output,
      },
    );
  });

  afterAll(async () => {
    if (router && router.exitCode === null) {
      router.kill('SIGTERM');
      await new Promise((done) => router.once('exit', done));
    }
    await query(`DROP DATABASE IF EXISTS "${database}"`);
    await deleteTopicsStartingWith(kafka, prefix);
  });

  const hangup = () => router.kill('SIGHUP');
  /** Waits for the router's log to say it reloaded (or refused), `count` times in all. */
  const reloads = (pattern: RegExp, count: number) =>
    eventually(`${count} × ${pattern} in the router's log`, () => (output.match(new RegExp(pattern, 'g')) ?? []).length >= count, {
      timeoutMs: 10_000,
      everyMs: 50,
      detail: () => output,
    });

  const inForce = async () => (await (await fetch(`${url}/manifest`)).json()) as { version: string; actions: Record<string, { autoApproveBelowUsd: number }> };

  it('GET /manifest shows the version in force and its actions', async () => {
    const shown = await inForce();
    expect(shown.version).toMatch(/^sha256:/);
    expect(Object.keys(shown.actions)).toEqual(expect.arrayContaining(['process_refund', 'send_customer_email', 'query_crm']));
    expect(shown.actions.process_refund.autoApproveBelowUsd).toBe(50);
  });

  it('SIGHUP reloads it without dropping messages; an invalid new one is refused and the old one keeps serving', async () => {
    const before = await inForce();
    const first = [proposal(30), proposal(30), proposal(30)];
    await send(first);
    // Routed by the first manifest: what the next one is compared with.
    await verdictsOf(first.map((m) => m.decisionId));

    // Raise the auto-approve amount: a $70 refund would now run alone, but the wider entry puts
    // process_refund on probation first (a person decides each until enough are approved unchanged).
    writeFileSync(manifestPath, readFileSync(manifestPath, 'utf8').replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 100'));
    hangup();
    await reloads(/manifest reloaded/, 1);
    const second = [proposal(70), proposal(70)];
    await send(second);
    const afterReload = await inForce();
    expect(afterReload.version).not.toBe(before.version);
    expect(afterReload.actions.process_refund.autoApproveBelowUsd).toBe(100);

    // An invalid manifest is refused: the version in force does not change.
    writeFileSync(
      manifestPath,
      readFileSync(manifestPath, 'utf8').replace(
        'on_timeout: deny\n    escalation_path: [support_agent, finance_lead]',
        'on_timeout: approve\n    escalation_path: [support_agent, finance_lead]',
      ),
    );
    hangup();
    await reloads(/manifest reload refused/, 1);
    expect(output).toContain('actions.process_refund.on_timeout');
    const third = [proposal(70)];
    await send(third);

    const routed = await verdictsOf([...first, ...second, ...third].map((m) => m.decisionId));
    expect(routed.size).toBe(6); // nothing dropped across two reloads
    for (const m of second) expect(routed.get(m.decisionId)).toMatchObject({ verdict: 'human_review', manifest_version: afterReload.version });
    expect(routed.get(third[0].decisionId)).toMatchObject({ verdict: 'human_review', manifest_version: afterReload.version });
    const [probation] = await query<{ action: string; reason: string; state: string }>(
      `SELECT action, reason, state FROM "${schema}".probations`,
      [],
      databaseUrl,
    );
    expect(probation).toEqual({
      action: 'process_refund',
      reason: 'its manifest entry widened its autonomy: auto_approve_below_usd 50 → 100',
      state: 'active',
    });
    expect((await inForce()).version).toBe(afterReload.version);
  });
});

describe('an invalid manifest at start', () => {
  it('stops the router with an error naming the action and the field', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(resolve(root, 'manifests/refunds.yaml'), 'utf8').replace(
        '    on_timeout: deny\n    escalation_path: [support_agent, finance_lead]',
        '    on_timeout: approve\n    escalation_path: [support_agent, finance_lead]',
      ),
    );
    const run = spawnSync(process.execPath, ['-r', '@swc-node/register', resolve(root, 'apps/router/src/main.ts')], {
      cwd: root,
      env: { ...process.env, ...testTrust().env('router'), MANIFEST_PATH: bad, KAFKA_BROKERS: brokers, HTTP_PORT: '0', KAFKA_TOPIC_PREFIX: `t-bad-${id}.` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toContain('actions.process_refund.on_timeout: approve is allowed only for severity: low and reversible: true');
  });
});
