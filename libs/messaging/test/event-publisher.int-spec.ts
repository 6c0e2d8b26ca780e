// Both clients behind the EventPublisher factory do the same thing to the broker: the relay
// on @platformatic/kafka publishes a service's outbox as it does on kafkajs, each key on
// the partition the Java partitioner picks, in order per key, with the same bytes and
// headers, and deletes what was acknowledged.
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { KafkaClientName, Outbox, RawOutboxMessage, physicalTopic } from '../src';
import { Harness, createHarness } from './support/harness';

jest.setTimeout(120_000);

let h: Harness;

beforeAll(async () => {
  h = await createHarness('publisher');
});

afterAll(async () => {
  await h?.close();
});

const KEYS = Array.from({ length: 40 }, () => randomUUID());

/** Three events per key, interleaved across keys; a value that is no JSON, a null key and binary headers among them. */
async function fillOutbox(): Promise<void> {
  const rows: RawOutboxMessage[] = [];
  for (let n = 0; n < 3; n++) {
    for (const key of KEYS) rows.push({ topic: 'action.executed', key, value: Buffer.from(`${key} #${n}`), headers: [['x-n', String(n)]], messageId: null });
  }
  rows.push({
    topic: 'action.executed',
    key: null,
    value: Buffer.from([0xff, 0x00, 0xfe]),
    headers: [
      ['x-bin', Buffer.from([0x00, 0xff])],
      ['x-bin', 'again'],
    ],
    messageId: null,
  });
  await h.dataSource.transaction((manager) => new Outbox(h.schema).publishRaw(manager, rows));
}

interface Published {
  partition: number;
  offset: string;
  /** Key, value and headers, as hex. */
  line: string;
}

async function publishWith(client: KafkaClientName): Promise<Published[]> {
  await fillOutbox();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(__dirname, 'support/relay-process.ts')], {
    cwd: resolve(__dirname, '../../..'),
    env: { ...process.env, RELAY_CLIENT: client, HARNESS_IDS: JSON.stringify({ schema: h.schema, topicPrefix: h.topicPrefix, groupId: h.groupId }) },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise((done) => child.on('exit', done));
  expect(`${code} ${output.trim().split('\n').pop()}`).toBe(`0 drained through ${client}`);
  return readAll(physicalTopic(h.settings, 'action.executed'));
}

/** Everything on `topic`, with its partition, in offset order per partition. */
async function readAll(topic: string): Promise<Published[]> {
  const admin = h.kafka.admin();
  await admin.connect();
  const total = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  await admin.disconnect();
  const read: Published[] = [];
  const consumer = h.kafka.consumer({ groupId: `${h.groupId}-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((done) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = Object.entries(message.headers ?? {}).map(
          ([name, value]) => `${name}=${([] as (Buffer | string | undefined)[]).concat(value).map((v) => Buffer.from(v ?? '').toString('hex'))}`,
        );
        read.push({
          partition,
          offset: message.offset,
          // A message without a key may go to any partition (each client picks its own way).
          line: `${message.key ? partition : '*'} ${message.key?.toString('hex') ?? 'null'} ${message.value?.toString('hex')} ${headers}`,
        });
        if (read.length >= total) done();
      },
    });
  });
  await consumer.disconnect();
  return read.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}

it('the relay on @platformatic/kafka publishes the outbox as on kafkajs: same partitions, order per key, bytes and headers', async () => {
  const viaKafkajs = await publishWith('kafkajs');
  expect(viaKafkajs).toHaveLength(KEYS.length * 3 + 1);
  const after = await publishWith('platformatic');
  const [{ count }] = await h.dataSource.query(`SELECT count(*)::int AS count FROM "${h.schema}".outbox`);
  expect(count).toBe(0);
  // The second pass wrote after the first on every partition: what it added, per partition in order, is the same.
  const first = new Set(viaKafkajs.map((m) => `${m.partition}/${m.offset}`));
  const viaPlatformatic = after.filter((m) => !first.has(`${m.partition}/${m.offset}`));
  const lines = (published: Published[]) =>
    [...published.filter((m) => !m.line.startsWith('*')), ...published.filter((m) => m.line.startsWith('*'))].map((m) => m.line);
  expect(lines(viaPlatformatic)).toEqual(lines(viaKafkajs));
  // And the per-key order held: #0, #1, #2 of each key, one partition each.
  for (const key of KEYS.slice(0, 5)) {
    const mine = viaPlatformatic.filter((m) => m.line.includes(Buffer.from(`${key} #`).toString('hex')));
    expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
    expect(mine.map((m) => Buffer.from(m.line.split(' ')[2], 'hex').toString())).toEqual([0, 1, 2].map((n) => `${key} #${n}`));
  }
});
