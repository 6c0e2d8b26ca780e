// Small clients the integration specs share: a free port on loopback, one-shot SQL
// against the test database (or another database or login role on the same server), the
// variables of a service a spec runs in-process, one HTTP call to a service, the hitl CLI
// as a real process, and where consumer groups are.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { WORKSPACE_ROOT, serviceEnv } from './launcher';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** The test database's URL (set by global-setup), or the same server with another database or user. */
export function databaseUrl(overrides: { database?: string; user?: string } = {}): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hitl_test');
  if (overrides.database) url.pathname = `/${overrides.database}`;
  if (overrides.user) {
    url.username = overrides.user;
    url.password = '';
  }
  return url.toString();
}

/** Runs one statement on its own connection and returns the rows. */
export async function query<T>(text: string, params: unknown[] = [], connectionString = databaseUrl()): Promise<T[]> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * What a service a spec runs in-process starts with: the test broker and database, the
 * spec's topic prefix, any free port, the committed refunds manifest, and no logs unless
 * HITL_TEST_VERBOSE. The spec adds its keys and whatever else it needs.
 */
export function inProcessEnv(topicPrefix: string): Record<string, string> {
  return {
    ...serviceEnv({
      databaseUrl: databaseUrl(),
      brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
      topicPrefix,
      logLevel: process.env.HITL_TEST_VERBOSE ? 'debug' : 'silent',
      manifestPath: resolve(WORKSPACE_ROOT, 'manifests/refunds.yaml'),
    }),
    HTTP_PORT: '0',
  };
}

export interface HttpAnswer {
  status: number;
  /** The content-type header ('' when there is none). */
  type: string;
  text: string;
  /** The body parsed as JSON; null when it is none. Any: specs read answers of every shape. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** One HTTP call, with a bearer token and a JSON body when given. */
export async function httpCall(url: string, options: { method?: string; token?: string | null; body?: unknown } = {}): Promise<HttpAnswer> {
  const { method = 'GET', token, body } = options;
  const response = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, type: response.headers.get('content-type') ?? '', text, json };
}

/** `hitl <args>` from the sources, with `env` over this process's variables; its exit code and output. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/cli/src/main.ts', ...args],
      { cwd: WORKSPACE_ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Whether each consumer group has committed up to the end of every topic it reads (a
 * partition nothing was written to counts as read). `readers`: group id and its topics.
 * A retriable broker error answers false (not yet), so callers polling with `eventually` ask again.
 */
export async function consumersCaughtUp(kafka: Kafka, readers: Iterable<readonly [groupId: string, topics: readonly string[]]>): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const [groupId, topics] of readers) {
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const end of ends) {
          const at = committed.partitions.find((p) => p.partition === end.partition)?.offset;
          if (Number(end.offset) > 0 && at !== end.offset) return false;
        }
      }
    }
    return true;
  } catch (error) {
    // A broker still settling a new topic's leader ("not the leader for that topic-partition"):
    // not caught up yet, ask again. Anything else is the caller's to see.
    if ((error as { retriable?: boolean }).retriable === true) return false;
    throw error;
  } finally {
    await admin.disconnect();
  }
}
