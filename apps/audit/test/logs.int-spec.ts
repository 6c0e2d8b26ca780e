// A real audit process logging at trace level: the secrets it records never reach its logs.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { AnyEvent, EventType, exampleEvent, topicOf } from '@hitl/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { databaseUrl, deleteTopicsStartingWith, eventually, idempotentProducer, query, signed, testTrust } from '@hitl/testing';

const root = resolve(__dirname, '../../..');
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const kafka = new Kafka({ clientId: 'audit-logs-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const id = randomBytes(4).toString('hex');
const database = `hitl_t_audit_logs_${id}`;
const prefix = `t-audit-logs-${id}.`;
const CARD = '4111111111111111';
const PASSWORD = 'correct-horse-battery-staple';

const url = databaseUrl({ database });

describe('the audit logs', () => {
  afterAll(async () => {
    await query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await deleteTopicsStartingWith(kafka, prefix);
  });

  it('never carry the secrets of the events it records, even at trace level', async () => {
    await query(`CREATE DATABASE "${database}"`);
    const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(root, 'apps/audit/src/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        ...testTrust().env('audit'),
        DATABASE_URL: url,
        KAFKA_BROKERS: brokers,
        KAFKA_TOPIC_PREFIX: prefix,
        HTTP_PORT: '0',
        LOG_LEVEL: 'trace',
        MANIFEST_PATH: resolve(root, 'manifests/refunds.yaml'),
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      await eventually('the audit to start', () => /listening on/.test(output), {
        timeoutMs: 60_000,
        abortIf: () => (child.exitCode !== null ? `the audit exited (${child.exitCode})` : undefined),
        detail: () => output,
      });
      const decisionId = randomUUID();
      const events = (['hitl.decision.proposed.v1', 'hitl.approval.resolved.v1', 'hitl.action.executed.v1'] as EventType[]).map((type) => {
        const e = exampleEvent(type, { id: randomUUID() }) as AnyEvent;
        e.subject = decisionId;
        const data = e.data as { decision_id: string; parameters: Record<string, unknown> };
        data.decision_id = decisionId;
        data.parameters = { ...data.parameters, card_number: CARD, login: { password: PASSWORD } };
        return e;
      });
      const producer = idempotentProducer(kafka);
      await producer.connect();
      for (const e of events)
        await producer.send({ topic: `${prefix}${topicOf(e.type)}`, acks: -1, messages: [{ key: e.subject, value: JSON.stringify(signed(e)) }] });
      // And one that breaks the contract, carrying the same secrets, to the DLQ.
      await producer.send({
        topic: `${prefix}decision.proposed.dlq`,
        acks: -1,
        messages: [{ key: decisionId, value: JSON.stringify({ workspaceid: 'acme-support', data: { card_number: CARD, password: PASSWORD } }) }],
      });
      await producer.disconnect();

      const recorded = async () => (await query<{ n: number }>('SELECT count(*)::int AS n FROM audit.events', [], url))[0].n;
      await eventually('the events to be recorded', async () => (await recorded()) >= 4, { timeoutMs: 90_000, everyMs: 200 });
      expect(output.length).toBeGreaterThan(1_000); // it did log, at trace level
      expect(output).not.toContain(CARD);
      expect(output).not.toContain(PASSWORD);
      const stored = await query<{ event: unknown }>('SELECT event FROM audit.events', [], url);
      expect(JSON.stringify(stored)).not.toContain(CARD);
      expect(JSON.stringify(stored)).not.toContain(PASSWORD);
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
  });
});
