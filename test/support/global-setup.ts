// Finds the real Kafka broker and PostgreSQL for the integration specs:
// KAFKA_BROKERS / DATABASE_URL when set; else containers when a Docker engine answers;
// else the project's own `infra:up` (a native KRaft broker and the machine's PostgreSQL).
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';

const root = resolve(__dirname, '../..');

function dockerEngineAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<{ brokers: string; databaseUrl: string }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const kafka = await new GenericContainer('apache/kafka:3.9.1')
    .withExposedPorts({ container: 9092, host: 19092 })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:19092',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const postgres = await new GenericContainer('postgres:15')
    .withExposedPorts(5432)
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'hitl_test' })
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  (globalThis as { __hitlContainers?: unknown[] }).__hitlContainers = [kafka, postgres];
  return {
    brokers: '127.0.0.1:19092',
    databaseUrl: `postgres://postgres@127.0.0.1:${postgres.getMappedPort(5432)}/hitl_test`,
  };
}

async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

export default async function globalSetup(): Promise<void> {
  if (!process.env.KAFKA_BROKERS || !process.env.DATABASE_URL) {
    if (dockerEngineAnswers()) {
      const found = await startContainers();
      process.env.KAFKA_BROKERS ??= found.brokers;
      process.env.DATABASE_URL ??= found.databaseUrl;
    } else {
      execFileSync('bash', [resolve(root, 'scripts/infra.sh'), 'up'], { stdio: 'inherit', cwd: root });
      process.env.KAFKA_BROKERS ??= '127.0.0.1:9092';
      process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/hitl_test';
    }
  }
  await ensureDatabase(process.env.DATABASE_URL);
}
