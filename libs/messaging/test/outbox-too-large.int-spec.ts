// A row the broker can never take (larger than its topic's max.message.bytes) does not stop
// the relay for good: the rows around it go out, in order, and it is replaced by a letter on
// the topic's DLQ that says why (the audit records it), without its bytes.
import { randomUUID } from 'node:crypto';
import { testTrust } from '@hitl/testing';
import { Outbox, OutboxRelay } from '../src';
import { Harness, createHarness, keyOnPartition, quietLogger, readTopic } from './support/harness';

/** A row for outcome.labeled as the relay finds it in the outbox. */
const row = (key: string, id: string, value: string) => ({
  topic: 'outcome.labeled',
  key,
  value: Buffer.from(value),
  headers: [['ce_id', id]] as const,
  messageId: id,
});

describe('an outbox row larger than its topic takes', () => {
  let h: Harness;
  let relay: OutboxRelay;
  const outbox = () => new Outbox(h.schema, testTrust().key('escalation'));

  beforeAll(async () => {
    h = await createHarness('toolarge', undefined, { 'outcome.labeled': 20_000 });
    relay = new OutboxRelay({ dataSource: h.dataSource, schema: h.schema, kafka: h.kafka, settings: h.settings, logger: quietLogger, idleMs: 50 });
  });

  afterAll(async () => {
    await relay?.stop();
    await h?.close();
  });

  it('publishes the rows before and after it in order, and puts a letter without its bytes on the DLQ', async () => {
    const key = randomUUID();
    await h.dataSource.transaction((m) =>
      outbox().publishRaw(m, [row(key, 'first', 'before'), row(key, 'huge', 'x'.repeat(50_000)), row(key, 'last', 'after')]),
    );
    relay.start();
    await relay.drain();

    const published = await readTopic(h, 'outcome.labeled', (m) => m.length >= 2);
    expect(published.map((m) => [m.key?.toString(), m.value?.toString()])).toEqual([
      [key, 'before'],
      [key, 'after'],
    ]);
    const [letter, ...more] = await readTopic(h, 'outcome.labeled.dlq', (m) => m.length >= 1);
    expect(more).toEqual([]);
    const header = (name: string) => letter.headers?.[name]?.toString();
    expect({
      key: letter.key?.toString(),
      bytes: letter.value?.length ?? 0,
      id: header('ce_id'),
      code: header('hitl-dlq-error-code'),
      from: header('hitl-dlq-topic'),
      consumer: header('hitl-dlq-consumer'),
    }).toEqual({ key, bytes: 0, id: 'huge', code: 'message_too_large', from: 'outcome.labeled', consumer: `outbox-relay:${h.schema}` });
    expect(header('hitl-dlq-error')).toMatch(/^the broker refused this 50036-byte message for outcome.labeled as larger than the topic takes/);
  });

  it('when the broker took the other partitions of the round, publishes the rest all the same (kafkajs rolled back their sequence numbers)', async () => {
    // Two rows on one partition, the huge one on another: one request, taken in part.
    const [small, large] = [keyOnPartition(0), keyOnPartition(1)];
    await h.dataSource.transaction((m) => outbox().publishRaw(m, [row(small, 'one', 'one'), row(large, 'big', 'y'.repeat(50_000)), row(small, 'two', 'two')]));
    relay.nudge();
    await relay.drain();

    const published = await readTopic(h, 'outcome.labeled', (m) => m.some((one) => one.value?.toString() === 'two'));
    // The rows the broker took in the refused request may go out again (consumers de-duplicate on the event id).
    expect([...new Set(published.filter((m) => m.key?.toString() === small).map((m) => m.value?.toString()))]).toEqual(['one', 'two']);
    const letters = await readTopic(h, 'outcome.labeled.dlq', (m) => m.length >= 2);
    expect(letters.map((m) => [m.key?.toString(), m.headers?.['ce_id']?.toString(), m.headers?.['hitl-dlq-error-code']?.toString()])).toContainEqual([
      large,
      'big',
      'message_too_large',
    ]);
  });
});
