// No message stops a consumer: what PostgreSQL refuses, what a handler cannot handle and
// what nobody classified are isolated and dead-lettered alone, while the database going
// away is waited out and loses nothing. Real broker, real database, the real transport.
import { randomUUID } from 'node:crypto';
import { ACTION_EXECUTED, DECISION_PROPOSED, Topics, dlqTopic, exampleEvent } from '@hitl/contracts';
import { eventually, idempotentProducer, signed } from '@hitl/testing';
import { KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';
import { CommittedChunk } from '../src';
import { Harness, RunningConsumer, count, createHarness, produce, readTopic, rows, startConsumer } from './support/harness';

function proposal(parameters: Record<string, unknown> = {}) {
  const event = exampleEvent(DECISION_PROPOSED, { id: randomUUID() });
  event.data.decision_id = event.subject = randomUUID();
  Object.assign(event.data.parameters, parameters);
  return event;
}

function execution(units: number) {
  const event = exampleEvent(ACTION_EXECUTED, { id: randomUUID() });
  event.data.decision_id = event.subject = randomUUID();
  event.data.output = { units };
  return event;
}

const INT_MAX = 2_147_483_647;
/** Retries quick enough for a test; the bound is the default's. */
const retry = { initialBackoffMs: 20, maxBackoffMs: 500 };

const header = (m: KafkaMessage, name: string) => m.headers![name]!.toString();

describe('poison messages over the real broker and database', () => {
  let h: Harness;
  let consumer: RunningConsumer | undefined;

  beforeEach(async () => {
    h = await createHarness('poison');
  });

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
    await h.close();
  });

  it('a chunk of 200 with one value PostgreSQL refuses, handled in one statement: 199 recorded, the one dead-lettered with the database words, the service told', async () => {
    const events = Array.from({ length: 200 }, (_, i) => execution(i === 117 ? INT_MAX + 1 : i));
    // Everything on the topic before the consumer starts, on one partition: one chunk.
    await produce(
      h,
      Topics.ActionExecuted,
      events.map((e) => ({ key: 'one-partition', value: JSON.stringify(signed(e)) })),
    );
    const chunks: CommittedChunk[] = [];
    consumer = await startConsumer(h, { retry, afterCommit: (c) => void chunks.push(c) });

    await eventually('199 executions seen', async () => (await count(h, 'SELECT count(*)::int AS n FROM executed_seen')) >= 199, { timeoutMs: 60_000 });
    const letters = await readTopic(h, dlqTopic(Topics.ActionExecuted), (m) => m.length >= 1);
    expect(letters).toHaveLength(1);
    expect(letters[0].value).toEqual(Buffer.from(JSON.stringify(signed(events[117]))));
    expect(header(letters[0], 'hitl-dlq-error-code')).toBe('database_refused');
    expect(header(letters[0], 'hitl-dlq-error')).toMatch(/^PostgreSQL refused it \(SQLSTATE 22003, data exception\): .*out of range/);
    const seen = await rows<{ event_id: string }>(h, 'SELECT event_id FROM executed_seen ORDER BY id');
    expect(seen.map((r) => r.event_id)).toEqual(events.filter((_, i) => i !== 117).map((e) => e.id));
    expect(await rows(h, 'SELECT decision_id, code FROM invalid_seen')).toEqual([{ decision_id: events[117].subject, code: 'database_refused' }]);
    // The 200 were one chunk of the log, whatever it took to isolate the one.
    expect(chunks.reduce((n, c) => n + c.count, 0)).toBe(200);
    expect(chunks[0].count).toBe(200);
  });

  it('a message handled on its own: the refused one dead-lettered, its neighbours handled, the hook told', async () => {
    const before = proposal({ units: 1 });
    const poison = proposal({ units: INT_MAX + 1 });
    const after = proposal({ units: 2 });
    await produce(
      h,
      Topics.DecisionProposed,
      [before, poison, after].map((e) => ({ key: 'k', value: JSON.stringify(signed(e)) })),
    );
    consumer = await startConsumer(h, { retry });

    await eventually(
      'the effect of the decision after the poison',
      async () => (await count(h, 'SELECT count(*)::int AS n FROM effects WHERE decision_id = $1', [after.subject])) === 1,
    );
    expect(await rows(h, 'SELECT units FROM effects ORDER BY id')).toEqual([{ units: 1 }, { units: 2 }]);
    const letters = await readTopic(h, dlqTopic(Topics.DecisionProposed), (m) => m.length >= 1);
    expect(letters.map((l) => header(l, 'hitl-dlq-error-code'))).toEqual(['database_refused']);
    expect(await rows(h, 'SELECT decision_id, code FROM invalid_seen')).toEqual([{ decision_id: poison.subject, code: 'database_refused' }]);
  });

  it('a message failing for a reason nobody classified: retried a bounded number of times, then dead-lettered; the next one handled', async () => {
    const bug = proposal({ explode: true });
    const next = proposal();
    await produce(
      h,
      Topics.DecisionProposed,
      [bug, next].map((e) => ({ key: 'k', value: JSON.stringify(signed(e)) })),
    );
    consumer = await startConsumer(h, { retry: { ...retry, maxAttempts: 3 } });

    await eventually(
      'the effect of the next decision',
      async () => (await count(h, 'SELECT count(*)::int AS n FROM effects WHERE decision_id = $1', [next.subject])) === 1,
    );
    const letters = await readTopic(h, dlqTopic(Topics.DecisionProposed), (m) => m.length >= 1);
    expect(letters.map((l) => header(l, 'hitl-dlq-error-code'))).toEqual(['handler_failed']);
    expect(header(letters[0], 'hitl-dlq-error')).toBe("failed 3 times: TypeError: Cannot read properties of undefined (reading 'explode')");
    expect(await count(h, 'SELECT count(*)::int AS n FROM effects')).toBe(1);
  });

  it('carries any bytes of a refused message into its dead letter: a key and headers PostgreSQL would refuse as text, value bytes that are no UTF-8', async () => {
    const key = Buffer.from([0x6b, 0x00, 0xff, 0xfe]);
    const value = Buffer.concat([Buffer.from('{"specversion":"1.0","id":"'), Buffer.from([0x00, 0xc3, 0x28]), Buffer.from('"}')]);
    const nul = JSON.stringify(signed(proposal())).replace('"summary":"', '"summary":"\\u0000');
    const next = proposal();
    const producer = idempotentProducer(h.kafka);
    await producer.connect();
    await producer.send({
      topic: `${h.topicPrefix}${Topics.DecisionProposed}`,
      messages: [
        { key, value, headers: { 'x-nul\u0000': Buffer.from([0x00, 0x01]), 'hitl-dlq-error-code': 'forged-by-sender' } },
        { key: 'k', value: nul, headers: { 'x-text': 'a\u0000b' } },
        { key: 'k', value: JSON.stringify(signed(next)) },
      ],
    });
    await producer.disconnect();
    consumer = await startConsumer(h, { retry });

    await eventually(
      'the effect of the next decision',
      async () => (await count(h, 'SELECT count(*)::int AS n FROM effects WHERE decision_id = $1', [next.subject])) === 1,
    );
    // Delivery is at-least-once (a letter may arrive twice) and the two keys may sit on two
    // partitions: read until both letters are there, whatever else is.
    const isFirst = (l: KafkaMessage) => l.value!.equals(value);
    const isSecond = (l: KafkaMessage) => l.value!.toString() === nul;
    const letters = await readTopic(h, dlqTopic(Topics.DecisionProposed), (m) => m.some(isFirst) && m.some(isSecond));
    const first = letters.find(isFirst)!;
    expect(first.key).toEqual(key);
    expect(first.headers!['x-nul\u0000']).toEqual(Buffer.from([0x00, 0x01]));
    // The sender does not get to set the letter's own headers.
    expect(header(first, 'hitl-dlq-error-code')).toBe('invalid_json');
    const second = letters.find(isSecond)!;
    expect(header(second, 'hitl-dlq-error-code')).toBe('unsupported_character');
    expect(header(second, 'hitl-dlq-error')).toContain('data.summary');
    expect(second.headers!['x-text']).toEqual(Buffer.from('a\u0000b'));
  });

  it('waits out the database going away mid-stream (connections cut, logins refused for seconds): every message handled once, nothing dead-lettered', async () => {
    const { consumerDb, outage, dropRole } = await ownDatabaseRole(h);
    try {
      consumer = await startConsumer(h, { retry, dataSource: consumerDb });
      // Each holds its transaction open a moment, so the cut lands mid-transaction.
      const events = Array.from({ length: 120 }, () => proposal({ pause_s: 0.02 }));
      for (let i = 0; i < events.length; i += 30) {
        await produce(
          h,
          Topics.DecisionProposed,
          events.slice(i, i + 30).map((e) => ({ key: e.subject, value: JSON.stringify(signed(e)) })),
        );
      }
      await eventually('the first effects', async () => (await count(h, 'SELECT count(*)::int AS n FROM effects')) >= 10, { timeoutMs: 30_000 });
      // The outage: no new session, every open one ended, for three seconds.
      const cut = await outage.begin();
      const during = await count(h, 'SELECT count(*)::int AS n FROM effects');
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await count(h, 'SELECT count(*)::int AS n FROM effects')).toBe(during);
      await outage.end();
      expect(cut).toBeGreaterThan(0);

      await eventually('every effect after the outage', async () => (await count(h, 'SELECT count(*)::int AS n FROM effects')) > 119, { timeoutMs: 90_000 });
      expect(await count(h, 'SELECT count(DISTINCT decision_id)::int AS n FROM effects')).toBe(120);
      expect(await count(h, 'SELECT count(*)::int AS n FROM effects')).toBe(120);
      await consumer.relay.drain();
      const resolved = await readTopic(h, Topics.ApprovalResolved, (m) => m.length >= 120);
      expect(new Set(resolved.map((m) => JSON.parse(m.value!.toString()).subject)).size).toBe(120);
      const admin = h.kafka.admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(`${h.topicPrefix}${dlqTopic(Topics.DecisionProposed)}`);
      await admin.disconnect();
      expect(ends.map((p) => p.offset)).toEqual(ends.map(() => '0'));
    } finally {
      await consumer?.close();
      consumer = undefined;
      await dropRole();
    }
  });

  it('closes while the database is away: the chunk being retried stops, and a restart handles every message once', async () => {
    const { consumerDb, outage, dropRole } = await ownDatabaseRole(h);
    try {
      consumer = await startConsumer(h, { retry, dataSource: consumerDb });
      const events = Array.from({ length: 60 }, () => proposal({ pause_s: 0.02 }));
      await produce(
        h,
        Topics.DecisionProposed,
        events.map((e) => ({ key: e.subject, value: JSON.stringify(signed(e)) })),
      );
      await eventually('the first effects', async () => (await count(h, 'SELECT count(*)::int AS n FROM effects')) >= 5, { timeoutMs: 30_000 });
      await outage.begin();
      // Retrying for as long as the outage lasts (logins refused until outage.end), the consumer
      // still closes: it does not wait for the database (before, close waited for ever here).
      await consumer.close();
      consumer = undefined;
      await outage.end();

      consumer = await startConsumer(h, { retry, dataSource: consumerDb });
      await eventually('every effect after the restart', async () => (await count(h, 'SELECT count(*)::int AS n FROM effects')) >= events.length, {
        timeoutMs: 60_000,
      });
      expect(await count(h, 'SELECT count(DISTINCT decision_id)::int AS n FROM effects')).toBe(events.length);
      expect(await count(h, 'SELECT count(*)::int AS n FROM effects')).toBe(events.length);
    } finally {
      await consumer?.close();
      consumer = undefined;
      await dropRole();
    }
  });
});

/**
 * A login role of the consumer's own, so its database can go away (`outage.begin`: no new
 * session, every open one ended) while the test's stays.
 */
async function ownDatabaseRole(h: Harness) {
  const role = `${h.schema}_consumer`;
  await h.dataSource.query(`CREATE ROLE "${role}" LOGIN`);
  await h.dataSource.query(`GRANT USAGE ON SCHEMA "${h.schema}" TO "${role}"`);
  await h.dataSource.query(`GRANT ALL ON ALL TABLES IN SCHEMA "${h.schema}" TO "${role}"`);
  await h.dataSource.query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA "${h.schema}" TO "${role}"`);
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hitl');
  url.username = role;
  url.password = '';
  const consumerDb = new DataSource({ type: 'postgres', url: url.toString(), synchronize: false, poolSize: 3 });
  await consumerDb.initialize();
  const outage = {
    /** Returns how many sessions it ended. */
    begin: async (): Promise<number> => {
      await h.dataSource.query(`ALTER ROLE "${role}" NOLOGIN`);
      const [{ cut }] = await h.dataSource.query('SELECT count(pg_terminate_backend(pid))::int AS cut FROM pg_stat_activity WHERE usename = $1', [role]);
      return cut;
    },
    end: () => h.dataSource.query(`ALTER ROLE "${role}" LOGIN`),
  };
  const dropRole = async () => {
    await consumerDb.destroy();
    await h.dataSource.query(`DROP OWNED BY "${role}"`);
    await h.dataSource.query(`DROP ROLE "${role}"`);
  };
  return { consumerDb, outage, dropRole };
}
