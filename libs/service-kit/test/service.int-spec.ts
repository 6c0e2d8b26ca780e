import { spawn } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DECISION_PROPOSED, exampleEvent } from '@hitl/contracts';
import { Outbox, OutboxRelay, contractTopics } from '@hitl/messaging';
import { INestApplication } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ConfigError, DatabaseUnreachableError, TrustError, createServiceApp, loadConfig, startServiceApp } from '../src';
import { testTrust } from '@hitl/testing';
import { isolatedNames, testService, testServiceConfig } from './support/test-service';

const root = resolve(__dirname, '../../..');
const DATABASE_URL = process.env.DATABASE_URL!;
const KAFKA_BROKERS = process.env.KAFKA_BROKERS!;
const LOG_LEVEL = process.env.HITL_TEST_VERBOSE ? 'debug' : 'silent';

function configFor(topicPrefix: string, overrides: Record<string, string> = {}) {
  return loadConfig(testServiceConfig, {
    KAFKA_BROKERS,
    DATABASE_URL,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    HTTP_PORT: '0',
    LOG_LEVEL,
    ...testTrust().env('router'),
    ...overrides,
  });
}

async function admin<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function deleteTopics(app: INestApplication, topicPrefix: string): Promise<void> {
  const kafkaAdmin = app.get(Kafka).admin();
  await kafkaAdmin.connect();
  try {
    await kafkaAdmin.deleteTopics({ topics: contractTopics({ topicPrefix }) });
  } finally {
    await kafkaAdmin.disconnect();
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

function databaseUrlAs(user: string): string {
  const url = new URL(DATABASE_URL);
  url.username = user;
  url.password = '';
  return url.toString();
}

describe('a service booted with the kit, on a fresh schema and topic prefix', () => {
  const { schema, topicPrefix } = isolatedNames();
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const config = configFor(topicPrefix);
    app = await createServiceApp(testService(schema), config);
    url = await startServiceApp(app, config);
  });

  afterAll(async () => {
    await app?.close();
    if (app) await deleteTopics(app, topicPrefix);
    await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  it('ran its migrations into its own schema, migrations table included', async () => {
    const tables = await admin<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema]);
    expect(tables.map((t) => t.table_name)).toEqual(['inbox', 'migrations', 'outbox']);
    const applied = await admin<{ name: string }>(`SELECT name FROM "${schema}".migrations`);
    expect(applied.map((m) => m.name)).toEqual(['CreateMessagingTables1700000000000']);
  });

  it('created every contract topic and its DLQ under its prefix', async () => {
    const kafkaAdmin = app.get(Kafka).admin();
    await kafkaAdmin.connect();
    const topics = await kafkaAdmin.listTopics().finally(() => kafkaAdmin.disconnect());
    expect(topics.filter((t) => t.startsWith(topicPrefix)).sort()).toEqual(contractTopics({ topicPrefix }).sort());
  });

  it('answers GET /healthz 200 with the database and Kafka up', async () => {
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, kafka: { status: 'up', brokers: expect.any(Number) } } });
  });

  it('publishes what is committed to its outbox (its relay runs)', async () => {
    const event = exampleEvent(DECISION_PROPOSED, { id: randomUUID() });
    await app.get(DataSource).transaction((manager) => app.get(Outbox).publish(manager, [event]));
    await app.get(OutboxRelay).drain(10_000);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^hitl_outbox_published_total\{topic="decision\.proposed"\} 1$/m);
  });

  it('serves GET /keys: a JWKS of the public key of its SIGNING_KEY_FILE, its kid the RFC 7638 thumbprint', async () => {
    // Worked out here from the key file, not with the contracts' helpers, so they are checked too.
    const { x } = createPublicKey(readFileSync(testTrust().keyFile('router'), 'utf8')).export({ format: 'jwk' }) as { x: string };
    const thumbprint = createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url');
    const res = await fetch(`${url}/keys`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ keys: [{ kty: 'OKP', crv: 'Ed25519', x, kid: thumbprint }] });
  });

  it('serves GET /metrics as Prometheus text with process and hitl_ metrics', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^# TYPE hitl_messages_consumed_total counter$/m);
  });
});

describe('a service whose database turns it away after boot', () => {
  const { schema, topicPrefix } = isolatedNames();
  const role = `${schema}_owner`;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    // Its own login role, owning its schema, as in production; then the role is locked out.
    await admin(`CREATE ROLE "${role}" LOGIN`);
    await admin(`GRANT CREATE ON DATABASE "${new URL(DATABASE_URL).pathname.slice(1)}" TO "${role}"`);
    const config = configFor(topicPrefix, { DATABASE_URL: databaseUrlAs(role) });
    app = await createServiceApp(testService(schema), config);
    url = await startServiceApp(app, config);
  });

  afterAll(async () => {
    await app?.close();
    if (app) await deleteTopics(app, topicPrefix);
    await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin(`DROP OWNED BY "${role}"`);
    await admin(`DROP ROLE IF EXISTS "${role}"`);
  });

  it('migrated as the owner of its schema', async () => {
    const [owner] = await admin<{ owner: string }>('SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = $1', [schema]);
    expect(owner.owner.replace(/"/g, '')).toBe(role);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('answers GET /healthz 503 naming the database as down', async () => {
    await admin(`ALTER ROLE "${role}" NOLOGIN`);
    await admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'error', error: { database: { status: 'down' } }, info: { kafka: { status: 'up' } } });
  });
});

describe('a service whose database is unreachable at boot', () => {
  it('does not start, and says which database it could not reach', async () => {
    const port = await closedPort();
    const { schema, topicPrefix } = isolatedNames();
    const config = configFor(topicPrefix, { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/hitl` });
    const boot = createServiceApp(testService(schema), config);
    await expect(boot).rejects.toThrow(DatabaseUnreachableError);
    await expect(boot).rejects.toThrow(`cannot reach PostgreSQL at 127.0.0.1:${port}/hitl (DATABASE_URL)`);
  });
});

describe('a bad variable', () => {
  it('makes loadConfig throw naming it', () => {
    expect(() => loadConfig(testServiceConfig, { HTTP_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig(testServiceConfig, { HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT: must be a whole number/);
  });

  it('stops the service with exit code 1 and a log line naming it', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(__dirname, 'support/run-test-service.ts')], {
      cwd: root,
      env: { ...process.env, KAFKA_BROKERS, DATABASE_URL, HTTP_PORT: 'abc' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(code).toBe(1);
    const fatal = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .find((entry) => entry.level === 'fatal');
    expect(fatal).toMatchObject({ service: 'kit-test', problems: [{ variable: 'HTTP_PORT' }], msg: expect.stringContaining('HTTP_PORT') });
  });
});

describe('a service given bad keys or a bad agent registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hitl-kit-trust-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const rsaKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a SIGNING_KEY_FILE that is missing', () => ({ SIGNING_KEY_FILE: join(dir, 'absent.key.pem') }), 'SIGNING_KEY_FILE', ['absent.key.pem', 'ENOENT']],
    [
      'a SIGNING_KEY_FILE that is not an Ed25519 key',
      () => ({ SIGNING_KEY_FILE: file('rsa.key.pem', rsaKey) }),
      'SIGNING_KEY_FILE',
      ['rsa.key.pem', 'is not an Ed25519 private key'],
    ],
    [
      'an AGENTS_PATH that is not a valid registry',
      () => ({ AGENTS_PATH: file('agents.yaml', 'agents:\n  - { id: refund-bot, workspaces: ["*", acme-support], keys_file: refund-bot.jwks.json }\n') }),
      'AGENTS_PATH',
      ['agents[0].workspaces', '"*" already means every workspace'],
    ],
  ])('does not start with %s, and names the variable and what is wrong', async (_name, env, variable, words) => {
    const { schema, topicPrefix } = isolatedNames();
    const boot = createServiceApp(testService(schema), configFor(topicPrefix, env()));
    await expect(boot).rejects.toThrow(TrustError);
    const message = await boot.catch((error: Error) => error.message);
    expect(message).toMatch(new RegExp(`^${variable}: `));
    for (const word of words) expect(message).toContain(word);
  });

  it('stops the service with exit code 1 and a log line naming SIGNING_KEY_FILE', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(__dirname, 'support/run-test-service.ts')], {
      cwd: root,
      env: { ...process.env, KAFKA_BROKERS, DATABASE_URL, HTTP_PORT: '0', ...testTrust().env('router'), SIGNING_KEY_FILE: file('rsa-exit.key.pem', rsaKey) },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(code).toBe(1);
    const fatal = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .find((entry) => entry.level === 'fatal');
    expect(fatal).toMatchObject({ service: 'kit-test', variable: 'SIGNING_KEY_FILE', msg: expect.stringContaining('SIGNING_KEY_FILE: ') });
  });
});

describe('two replicas of one service starting at the same moment', () => {
  const { schema, topicPrefix } = isolatedNames();
  const apps: INestApplication[] = [];

  afterAll(async () => {
    // Built, not started: no topics were created for this prefix.
    await Promise.all(apps.map((a) => a.close()));
    await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  it('both boot, and the schema is migrated exactly once', async () => {
    const config = configFor(topicPrefix);
    const booted = await Promise.allSettled([createServiceApp(testService(schema), config), createServiceApp(testService(schema), config)]);
    for (const result of booted) if (result.status === 'fulfilled') apps.push(result.value);
    expect(booted.map((r) => (r.status === 'rejected' ? String(r.reason) : 'booted'))).toEqual(['booted', 'booted']);
    const applied = await admin<{ name: string }>(`SELECT name FROM "${schema}".migrations`);
    expect(applied.map((m) => m.name)).toEqual(['CreateMessagingTables1700000000000']);
  });
});
