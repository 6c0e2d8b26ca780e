// A real broker, a real database, and a Nest microservice on the batch transport,
// isolated per test by a fresh schema and topic prefix.
import { randomBytes, randomUUID } from 'node:crypto';
import { AnyEvent, CloudEvent, OUTCOME_LABELED, Topic, exampleEvent } from '@hitl/contracts';
import { deleteTopicsStartingWith, eventually, signed, testTrust } from '@hitl/testing';
import { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, KafkaMessage, Partitioners } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  BROKER_DEFAULT_REPLICATION,
  CommittedChunk,
  KafkaBatchTransport,
  KafkaSettings,
  MESSAGING_SCHEMA_VERSIONS,
  MessagingLogger,
  Outbox,
  OutboxRelay,
  PassThroughRpcErrors,
  RetryOptions,
  contractTopics,
  createKafka,
  ensureTopics,
  loadKafkaSecurity,
  messagingSchemaSql,
  physicalTopic,
} from '../../src';
import { EffectsModule } from './effects.controller';

export const quietLogger: MessagingLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  // kafkajs logs transient leader elections as errors; HITL_TEST_VERBOSE shows them.
  error: (fields, message) => (process.env.HITL_TEST_VERBOSE ? console.error(message, JSON.stringify(fields)) : undefined),
};

export interface HarnessIds {
  schema: string;
  topicPrefix: string;
  groupId: string;
}

export interface Harness extends HarnessIds {
  dataSource: DataSource;
  settings: KafkaSettings;
  kafka: Kafka;
  close(): Promise<void>;
}

export function newHarnessIds(name: string): HarnessIds {
  const suffix = randomBytes(4).toString('hex');
  return { schema: `t_${name}_${suffix}`, topicPrefix: `t-${name}-${suffix}.`, groupId: `hitl-test-${name}-${suffix}` };
}

function brokersFromEnv(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
}

/** Connects to an existing test schema and topic set (for a child process). */
export async function connectHarness(ids: HarnessIds, brokers = brokersFromEnv()): Promise<Harness> {
  const dataSource = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, synchronize: false, poolSize: 5 });
  await dataSource.initialize();
  const settings: KafkaSettings = { brokers, clientId: ids.groupId, topicPrefix: ids.topicPrefix, security: loadKafkaSecurity(process.env) };
  const kafka = createKafka(settings, quietLogger);
  return { ...ids, dataSource, settings, kafka, close: () => dataSource.destroy() };
}

/**
 * A fresh schema with the messaging tables and a test effects table, and fresh topics.
 * `maxBytes`: topics created with a lower max.message.bytes than the broker's, so a test can
 * have the broker refuse a message as too large (set at creation: a later change takes
 * effect on the broker some time after it is acknowledged).
 */
export async function createHarness(name: string, brokers = brokersFromEnv(), maxBytes: Readonly<Record<string, number>> = {}): Promise<Harness> {
  const harness = await connectHarness(newHarnessIds(name), brokers);
  const s = `"${harness.schema}"`;
  await harness.dataSource.query(`CREATE SCHEMA ${s}`);
  for (const version of MESSAGING_SCHEMA_VERSIONS) await harness.dataSource.query(messagingSchemaSql(version, 'up', harness.schema));
  await harness.dataSource.query(`CREATE TABLE ${s}.effects (id bigserial PRIMARY KEY, decision_id uuid NOT NULL, event_id uuid NOT NULL, units integer)`);
  await harness.dataSource.query(`CREATE TABLE ${s}.invalid_seen (id bigserial PRIMARY KEY, decision_id uuid, code text NOT NULL)`);
  await harness.dataSource.query(`CREATE TABLE ${s}.batch_seen (id bigserial PRIMARY KEY, event_id text NOT NULL, batch_size int NOT NULL)`);
  await harness.dataSource.query(`CREATE TABLE ${s}.executed_seen (id bigserial PRIMARY KEY, event_id text NOT NULL, units integer, batch_size int NOT NULL)`);
  await harness.dataSource.query(`CREATE TABLE ${s}.dlq_seen (id bigserial PRIMARY KEY, value bytea, code text)`);
  await harness.dataSource.query(
    `CREATE TABLE ${s}.answers (event_id text PRIMARY KEY, decision_id uuid NOT NULL, workspace text NOT NULL, answer_id uuid NOT NULL, answered_at timestamptz NOT NULL, notes text)`,
  );
  // The broker may answer a creation before it knows the topics itself: ensureTopics waits that out.
  const limited = new Map(Object.entries(maxBytes).map(([topic, bytes]) => [physicalTopic(harness.settings, topic), bytes]));
  if (limited.size > 0)
    await ensureTopics(harness.kafka, [...limited.keys()], 3, BROKER_DEFAULT_REPLICATION, (topic) => [
      { name: 'max.message.bytes', value: String(limited.get(topic)) },
    ]);
  await ensureTopics(harness.kafka, contractTopics(harness.settings), 3);
  const close = harness.close;
  harness.close = async () => {
    await harness.dataSource.query(`DROP SCHEMA ${s} CASCADE`);
    await close();
    // Its 22 topics of 3 partitions go too: left behind, a run's harnesses put thousands of
    // partitions on the one test broker, which every spec after them shares.
    await deleteTopicsStartingWith(harness.kafka, harness.topicPrefix).catch(() => undefined);
  };
  return harness;
}

export interface RunningConsumer {
  app: INestMicroservice;
  relay: CountingRelay;
  close(): Promise<void>;
}

/** The relay, counting how often the transport woke it. */
export class CountingRelay extends OutboxRelay {
  nudges = 0;

  override nudge(): void {
    this.nudges++;
    super.nudge();
  }
}

/** The effects handler running on the batch transport, with its outbox relay. */
export async function startConsumer(
  h: Harness,
  options: {
    afterCommit?: (c: CommittedChunk) => void | Promise<void>;
    beforePublish?: (events: number) => void | Promise<void>;
    chunkSize?: number;
    retry?: RetryOptions;
    dataSource?: DataSource;
  } = {},
): Promise<RunningConsumer> {
  const relay = new CountingRelay({ dataSource: h.dataSource, schema: h.schema, kafka: h.kafka, settings: h.settings, logger: quietLogger, idleMs: 50 });
  const strategy = new KafkaBatchTransport({
    kafka: h.kafka,
    settings: h.settings,
    groupId: h.groupId,
    dataSource: options.dataSource ?? h.dataSource,
    schema: h.schema,
    // The test handler emits policy outcomes, so it signs as the router would.
    outbox: new Outbox(h.schema, testTrust().key('router')),
    signatures: { keyring: testTrust().keyring, mode: 'enforce' },
    relay,
    logger: quietLogger,
    afterCommit: options.afterCommit,
    beforePublish: options.beforePublish,
    chunkSize: options.chunkSize,
    retry: options.retry,
  });
  const app = await NestFactory.createMicroservice(EffectsModule.forSchema(h.schema), { strategy, logger: false });
  app.useGlobalFilters(new PassThroughRpcErrors());
  await app.listen();
  relay.start();
  return {
    app,
    relay,
    close: async () => {
      await app.close();
      await relay.stop();
    },
  };
}

/** Produces raw values (awaiting acknowledgement) to a contract topic. */
export async function produce(h: Harness, topic: Topic, messages: { key: string | null; value: Buffer | string | null }[]): Promise<void> {
  const producer = h.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic: physicalTopic(h.settings, topic), acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

export function produceEvents(h: Harness, topic: Topic, events: AnyEvent[]): Promise<void> {
  return produce(
    h,
    topic,
    events.map((e) => ({ key: e.subject, value: JSON.stringify(signed(e)) })),
  );
}

/** Reads a topic from the beginning until `enough` says so, or fails after the timeout. */
export async function readTopic(h: Harness, topic: string, enough: (messages: KafkaMessage[]) => boolean, timeoutMs = 30_000): Promise<KafkaMessage[]> {
  const consumer = h.kafka.consumer({ groupId: `${h.groupId}-reader-${randomBytes(3).toString('hex')}`, maxWaitTimeInMs: 100 });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [physicalTopic(h.settings, topic)], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
    await eventually(`enough messages on ${topic}`, () => enough(messages), { timeoutMs, detail: () => `only ${messages.length} came` });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** Rows of a query on the harness's tables: `FROM <table>` is read in the harness's schema. */
export function rows<T>(h: Harness, sql: string, params: unknown[] = []): Promise<T[]> {
  return h.dataSource.query(sql.replaceAll(/\bFROM (\w+)/g, `FROM "${h.schema}".$1`), params);
}

/** The `n` of a `SELECT count(*)::int AS n FROM <table> ...` on the harness's tables. */
export async function count(h: Harness, sql: string, params: unknown[] = []): Promise<number> {
  return (await rows<{ n: number }>(h, sql, params))[0].n;
}

/** A key that the Java partitioner (every client's) puts on `partition` of a 3-partition topic. */
export function keyOnPartition(partition: number): string {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  for (;;) {
    const key = randomUUID();
    if (partitioner({ topic: 'any', partitionMetadata, message: { key, value: null } }) === partition) return key;
  }
}

/** A label of its own decision, for the re-deriving handler (which answers each label). */
export function newLabel(decisionId: string = randomUUID(), notes?: string | null): CloudEvent<typeof OUTCOME_LABELED> {
  const event = exampleEvent(OUTCOME_LABELED, { id: randomUUID() });
  event.data.decision_id = event.subject = decisionId;
  if (notes !== undefined) event.data.notes = notes;
  return event;
}
