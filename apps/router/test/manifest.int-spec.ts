// The manifest in force: loaded at start (an invalid one stops the router, naming the
// field), reloaded on SIGHUP and when its file changes, without dropping messages, refused
// when the new one is invalid.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { proposal as rawProposal, wire } from './support/raw-proposal';
import { databaseUrl as testDatabaseUrl, deleteTopicsStartingWith, eventually, freePort, idempotentProducer, query, testTrust } from '@hitl/testing';

const root = resolve(__dirname, '../../..');
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const kafka = new Kafka({ clientId: 'router-manifest-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const dir = mkdtempSync(join(tmpdir(), 'hitl-manifest-'));
const schema = 'router';

function proposal(amount: number) {
  const event = rawProposal({ parameters: { order_id: 'ORD-9', amount_usd: amount }, confidence: 0.9 });
  return { key: event.subject, value: wire(event), decisionId: event.subject };
}

/** A router process of its own (signals reach a real process, not jest's sandbox): own database, own topics, own manifest file. */
function routerRun(env: Record<string, string>) {
  const id = randomBytes(4).toString('hex');
  const database = `hitl_t_router_${id}`;
  const databaseUrl = testDatabaseUrl({ database });
  const prefix = `t-router-m-${id}.`;
  const run = {
    manifestPath: join(dir, `manifest-${id}.yaml`),
    router: undefined as ChildProcess | undefined,
    url: '',
    output: '',
    async start(): Promise<void> {
      copyFileSync(resolve(root, 'manifests/refunds.yaml'), run.manifestPath);
      await query(`CREATE DATABASE "${database}"`);
      const port = await freePort();
      run.url = `http://127.0.0.1:${port}`;
      const router = spawn(process.execPath, ['-r', '@swc-node/register', resolve(root, 'apps/router/src/main.ts')], {
        cwd: root,
        env: {
          ...process.env,
          ...testTrust().env('router'),
          MANIFEST_PATH: run.manifestPath,
          KAFKA_BROKERS: brokers,
          DATABASE_URL: databaseUrl,
          HTTP_PORT: String(port),
          KAFKA_TOPIC_PREFIX: prefix,
          LOG_LEVEL: 'info',
          ...env,
        },
      });
      run.router = router;
      router.stdout!.on('data', (d) => (run.output += d));
      router.stderr!.on('data', (d) => (run.output += d));
      await eventually(
        'the router to start',
        () =>
          fetch(`${run.url}/readyz`)
            .then((r) => r.ok)
            .catch(() => false),
        {
          timeoutMs: 60_000,
          everyMs: 200,
          abortIf: () => (router.exitCode !== null ? `the router exited (${router.exitCode})` : undefined),
          detail: () => run.output,
        },
      );
    },
    async stop(): Promise<void> {
      const router = run.router;
      if (router && router.exitCode === null) {
        router.kill('SIGTERM');
        await new Promise((done) => router.once('exit', done));
      }
      await query(`DROP DATABASE IF EXISTS "${database}"`);
      await deleteTopicsStartingWith(kafka, prefix);
    },
    async send(messages: { key: string; value: string }[]): Promise<void> {
      const producer = idempotentProducer(kafka);
      await producer.connect();
      await producer.send({ topic: `${prefix}decision.proposed`, acks: -1, messages });
      await producer.disconnect();
    },
    async verdictsOf(decisionIds: string[]): Promise<Map<string, { verdict: string; manifest_version: string }>> {
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
    },
    probations: () => query<{ action: string; reason: string; state: string }>(`SELECT action, reason, state FROM "${schema}".probations`, [], databaseUrl),
    /** Waits for the router's log to say it reloaded (or refused), `count` times in all. */
    logged: (pattern: RegExp, count: number, timeoutMs = 10_000) =>
      eventually(`${count} × ${pattern} in the router's log`, () => (run.output.match(new RegExp(pattern, 'g')) ?? []).length >= count, {
        timeoutMs,
        everyMs: 50,
        detail: () => run.output,
      }),
    inForce: async () => (await (await fetch(`${run.url}/manifest`)).json()) as { version: string; actions: Record<string, { autoApproveBelowUsd: number }> },
  };
  return run;
}

const widened = (text: string) => text.replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 100');
const invalid = (text: string) =>
  text.replace(
    'on_timeout: deny\n    escalation_path: [support_agent, finance_lead]',
    'on_timeout: approve\n    escalation_path: [support_agent, finance_lead]',
  );

describe('the manifest in force', () => {
  // SIGHUP alone here: the file is not watched.
  const run = routerRun({ MANIFEST_WATCH_INTERVAL_MS: '0' });
  beforeAll(() => run.start());
  afterAll(() => run.stop());
  const hangup = () => run.router!.kill('SIGHUP');

  it('GET /manifest shows the version in force and its actions', async () => {
    const shown = await run.inForce();
    expect(shown.version).toMatch(/^sha256:/);
    expect(Object.keys(shown.actions)).toEqual(expect.arrayContaining(['process_refund', 'send_customer_email', 'query_crm']));
    expect(shown.actions.process_refund.autoApproveBelowUsd).toBe(50);
  });

  it('SIGHUP reloads it without dropping messages; an invalid new one is refused and the old one keeps serving', async () => {
    const before = await run.inForce();
    const first = [proposal(30), proposal(30), proposal(30)];
    await run.send(first);
    // Routed by the first manifest: what the next one is compared with.
    await run.verdictsOf(first.map((m) => m.decisionId));

    // Raise the auto-approve amount: a $70 refund would now run alone, but the wider entry puts
    // process_refund on probation first (a person decides each until enough are approved unchanged).
    writeFileSync(run.manifestPath, widened(readFileSync(run.manifestPath, 'utf8')));
    hangup();
    await run.logged(/manifest reloaded/, 1);
    const second = [proposal(70), proposal(70)];
    await run.send(second);
    const afterReload = await run.inForce();
    expect(afterReload.version).not.toBe(before.version);
    expect(afterReload.actions.process_refund.autoApproveBelowUsd).toBe(100);

    // An invalid manifest is refused: the version in force does not change.
    writeFileSync(run.manifestPath, invalid(readFileSync(run.manifestPath, 'utf8')));
    hangup();
    await run.logged(/manifest reload refused/, 1);
    expect(run.output).toContain('actions.process_refund.on_timeout');
    const third = [proposal(70)];
    await run.send(third);

    const routed = await run.verdictsOf([...first, ...second, ...third].map((m) => m.decisionId));
    expect(routed.size).toBe(6); // nothing dropped across two reloads
    for (const m of second) expect(routed.get(m.decisionId)).toMatchObject({ verdict: 'human_review', manifest_version: afterReload.version });
    expect(routed.get(third[0].decisionId)).toMatchObject({ verdict: 'human_review', manifest_version: afterReload.version });
    expect(await run.probations()).toEqual([
      {
        action: 'process_refund',
        reason: 'its manifest entry widened its autonomy: auto_approve_below_usd 50 → 100',
        state: 'active',
      },
    ]);
    expect((await run.inForce()).version).toBe(afterReload.version);
  });
});

describe('the manifest file rewritten in place (a ConfigMap update), at the default watch interval', () => {
  const run = routerRun({});
  beforeAll(() => run.start());
  afterAll(() => run.stop());

  it('is picked up within seconds; an invalid rewrite is refused and the old version keeps serving', async () => {
    const before = await run.inForce();
    writeFileSync(run.manifestPath, widened(readFileSync(run.manifestPath, 'utf8')));
    const afterReload = await eventually(
      'the rewritten manifest in force',
      async () => {
        const shown = await run.inForce();
        return shown.version !== before.version && shown;
      },
      { timeoutMs: 10_000, everyMs: 100, detail: () => run.output },
    );
    expect(afterReload.actions.process_refund.autoApproveBelowUsd).toBe(100);

    writeFileSync(run.manifestPath, invalid(readFileSync(run.manifestPath, 'utf8')));
    await run.logged(/manifest reload refused/, 1);
    expect(run.output).toContain('actions.process_refund.on_timeout');
    const later = [proposal(70)];
    await run.send(later);
    expect((await run.verdictsOf(later.map((m) => m.decisionId))).get(later[0].decisionId)).toMatchObject({ manifest_version: afterReload.version });
    expect((await run.inForce()).version).toBe(afterReload.version);
    // Refused once, not at every look: the file has not changed since.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(run.output.match(/manifest reload refused/g)).toHaveLength(1);
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
      env: {
        ...process.env,
        ...testTrust().env('router'),
        MANIFEST_PATH: bad,
        KAFKA_BROKERS: brokers,
        HTTP_PORT: '0',
        KAFKA_TOPIC_PREFIX: `t-bad-${randomBytes(4).toString('hex')}.`,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toContain('actions.process_refund.on_timeout: approve is allowed only for severity: low and reversible: true');
  });
});
