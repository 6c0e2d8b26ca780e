// A real audit process logging at trace level: the secrets it records never reach its logs.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { AnyEvent, EventType, exampleEvent, topicOf } from '@hitl/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { deleteTopicsStartingWith, signed, testTrust } from '@hitl/testing';

const root = resolve(__dirname, '../../..');
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const kafka = new Kafka({ clientId: 'audit-logs-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const id = randomBytes(4).toString('hex');
const database = `hitl_t_audit_logs_${id}`;
const prefix = `t-audit-logs-${id}.`;
const CARD = '4111111111111111';
const PASSWORD = 'correct-horse-battery-staple';

function urlFor(db: string): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hitl_test');
  url.pathname = `/${db}`;
  return url.toString();
}

async function sql<T>(db: string, text: string): Promise<T[]> {
  const client = new Client({ connectionString: urlFor(db) });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('the audit logs', () => {
  afterAll(async () => {
    await sql('postgres', `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await deleteTopicsStartingWith(kafka, prefix);
  });

  it('never carry the secrets of the events it records, even at trace level', async () => {
    await sql('postgres', `CREATE DATABASE "${database}"`);
    const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(root, 'apps/audit/src/main.ts')], {
      cwd: root,
      env: { ...process.env, ...testTrust().env('audit'), DATABASE_URL: urlFor(database), KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, HTTP_PORT: '0', LOG_LEVEL: 'trace', MANIFEST_PATH: resolve(root, 'manifests/refunds.yaml') },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      const deadline = Date.now() + 60_000;
      while (!/listening on/.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`audit did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const decisionId = randomUUID();
      const events = (['hitl.decision.proposed.v1', 'hitl.approval.resolved.v1', 'hitl.action.executed.v1'] as EventType[]).map((type) => {
        const e = exampleEvent(type, { id: randomUUID() }) as AnyEvent;
        e.subject = decisionId;
        const data = e.data as { decision_id: string; parameters: Record<string, unknown> };
        data.decision_id = decisionId;
        data.parameters = { ...data.parameters, card_number: CARD, login: { password: PASSWORD } };
        return e;
      });
      const producer = kafka.producer();
      await producer.connect();
      for (const e of events) await producer.send({ topic: `${prefix}${topicOf(e.type)}`, acks: -1, messages: [{ key: e.subject, value: JSON.stringify(signed(e)) }] });
      // And one that breaks the contract, carrying the same secrets, to the DLQ.
      await producer.send({ topic: `${prefix}decision.proposed.dlq`, acks: -1, messages: [{ key: decisionId, value: JSON.stringify({ workspaceid: 'acme-support', data: { card_number: CARD, password: PASSWORD } }) }] });
      await producer.disconnect();

      while ((await sql<{ n: number }>(database, 'SELECT count(*)::int AS n FROM audit.events'))[0].n < 4) {
        if (Date.now() > deadline + 30_000) throw new Error('the events were not recorded');
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(output.length).toBeGreaterThan(1_000); // it did log, at trace level
      expect(output).not.toContain(CARD);
      expect(output).not.toContain(PASSWORD);
      const stored = await sql<{ event: unknown }>(database, 'SELECT event FROM audit.events');
      expect(JSON.stringify(stored)).not.toContain(CARD);
      expect(JSON.stringify(stored)).not.toContain(PASSWORD);
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
  });
});
