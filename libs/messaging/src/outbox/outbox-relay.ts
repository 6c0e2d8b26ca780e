import { IHeaders, Kafka, TopicMessages } from 'kafkajs';
import { DataSource, QueryRunner } from 'typeorm';
import { EventPublisher, createEventPublisher } from '../kafka/event-publisher';
import { KafkaSettings, physicalTopic } from '../kafka/kafka-settings';
import { MessagingLogger } from '../logger';
import { sqlSchema } from '../schema';
import { tooLargeLetter } from './dead-letter';
import { OutboxHeader, decodeHeaders } from './outbox';
import { outboxPending, outboxPublished, outboxSetAside, relayDelaySeconds, relayFailures } from './outbox.metrics';

/** What publishes the rows: kafkajs's idempotent producer on `kafka`, or a `publisher` of createEventPublisher. */
export type OutboxRelayClient = { kafka: Kafka; publisher?: never } | { publisher: EventPublisher; kafka?: never };

export type OutboxRelayOptions = OutboxRelayClient & {
  dataSource: DataSource;
  schema: string;
  settings: Pick<KafkaSettings, 'topicPrefix'>;
  logger: MessagingLogger;
  /** Rows published per round. */
  batchSize?: number;
  /**
   * Bytes (values and keys) published per round at most, but always one row: a partition's
   * messages of one round go to the broker as one record batch, which must stay under its
   * `message.max.bytes` (1 MiB by default), whatever the rows of one key weigh together.
   */
  batchBytes?: number;
  /** How long an idle relay waits before looking again (a nudge wakes it sooner). */
  idleMs?: number;
  /** Longest pause between retries while Kafka or PostgreSQL is unreachable. */
  maxBackoffMs?: number;
};

interface OutboxRow {
  id: string;
  topic: string;
  message_key: Buffer | null;
  value: Buffer;
  headers: [string, string][];
  created_at: Date;
}

/**
 * Publishes the outbox to Kafka in id order and deletes what was acknowledged.
 * One relay per schema is active at a time (a PostgreSQL advisory lock held on its own
 * connection), so replicas never reorder events of one key; a crash between publish and
 * delete republishes, and consumers de-duplicate on the CloudEvents id.
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly lockKey: string;
  private readonly batchSize: number;
  private readonly batchBytes: number;
  /** The last round left rows out for their bytes: the next one goes at once. */
  private moreWaiting = false;
  private readonly idleMs: number;
  private readonly maxBackoffMs: number;
  private producer?: EventPublisher;
  private producerConnected = false;
  private lockHolder?: QueryRunner;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private nudged = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.table = `${sqlSchema(options.schema)}.outbox`;
    this.lockKey = `hitl.outbox.${options.schema}`;
    this.batchSize = options.batchSize ?? 500;
    this.batchBytes = options.batchBytes ?? 800_000;
    this.idleMs = options.idleMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const client = this.options;
    this.producer = client.kafka ? createEventPublisher({ client: 'kafkajs', kafka: client.kafka }) : client.publisher;
    this.loop = this.run();
  }

  /** Something was just committed to the outbox: look now rather than at the next tick. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.releaseLock();
    if (this.producerConnected) await this.producer?.disconnect().catch(() => undefined);
    this.producerConnected = false;
  }

  /** Publishes until the outbox is empty; for scripts and tests. */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [{ count }] = await this.options.dataSource.query(`SELECT count(*)::int AS count FROM ${this.table}`);
      if (count === 0) return;
      if (Date.now() > deadline) throw new Error(`outbox of ${this.options.schema} still holds ${count} rows after ${timeoutMs} ms`);
      this.nudge();
      await sleep(20);
    }
  }

  private async run(): Promise<void> {
    let backoff = this.idleMs;
    while (this.running) {
      try {
        if (!(await this.holdLock())) {
          await this.idle(this.idleMs * 4);
          continue;
        }
        const sent = await this.publishRound();
        backoff = this.idleMs;
        if (sent < this.batchSize && !this.moreWaiting) await this.idle(this.idleMs);
      } catch (error) {
        relayFailures.inc({ schema: this.options.schema });
        this.options.logger.warn({ err: error, schema: this.options.schema, retryInMs: backoff }, 'outbox relay round failed; will retry');
        await this.releaseLock();
        await this.idle(backoff);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
  }

  private async publishRound(): Promise<number> {
    const runner = this.lockHolder;
    const producer = this.producer;
    if (!runner || !producer) return 0;
    // The next rows in id order, as many as fit in batchBytes (the first always).
    const rows: (OutboxRow & { candidates: string })[] = await runner.query(
      `SELECT id, topic, message_key, value, headers, created_at, candidates FROM (
         SELECT *, sum(octet_length(value) + coalesce(octet_length(message_key), 0)) OVER (ORDER BY id) AS upto,
                row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS candidates
           FROM (SELECT id, topic, message_key, value, headers, created_at FROM ${this.table} ORDER BY id LIMIT $1) AS next) AS sized
        WHERE upto <= $2 OR n = 1 ORDER BY id`,
      [this.batchSize, this.batchBytes],
    );
    this.moreWaiting = rows.length > 0 && rows.length < Number(rows[0].candidates);
    outboxPending.set({ schema: this.options.schema }, rows.length);
    if (rows.length === 0) return 0;
    if (!this.producerConnected) {
      await producer.connect();
      this.producerConnected = true;
    }
    try {
      await producer.publish(this.group(rows));
    } catch (error) {
      if (!messageTooLarge(error)) throw error;
      // A message its topic can never take would stop every row behind it, for good: the
      // round goes again one row at a time, in order, and that one is set aside on its DLQ;
      // by a new producer, as the broker may have taken the other partitions of the request.
      await producer.renew();
      for (const row of rows) await this.publishOrSetAside(producer, row);
    }
    await runner.query(`DELETE FROM ${this.table} WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
    const now = Date.now();
    for (const row of rows) {
      outboxPublished.inc({ topic: row.topic });
      relayDelaySeconds.observe({ schema: this.options.schema }, Math.max(0, now - row.created_at.getTime()) / 1000);
    }
    return rows.length;
  }

  /**
   * Publishes one row; a row the broker refuses as larger than its topic takes is replaced
   * by a letter on the topic's DLQ (the same key and headers, no bytes, the reason), so the
   * audit records that it never went out and the rows behind it do.
   */
  private async publishOrSetAside(producer: EventPublisher, row: OutboxRow): Promise<void> {
    try {
      await producer.publish(this.group([row]));
      return;
    } catch (error) {
      if (!messageTooLarge(error)) throw error;
    }
    const refused = {
      topic: row.topic,
      key: row.message_key,
      value: row.value,
      headers: decodeHeaders(row.headers).map(({ name, value }) => [name, value] as const),
    };
    const { letter, bytes } = tooLargeLetter(refused, `outbox-relay:${this.options.schema}`);
    outboxSetAside.inc({ topic: row.topic });
    this.options.logger.error({ schema: this.options.schema, topic: row.topic, outboxId: row.id, bytes }, 'outbox row set aside: too large for its topic');
    await producer.publish(groupByTopic(this.options.settings, [letter]));
  }

  /** Groups rows by topic, keeping id order inside each topic (and so inside each key). */
  private group(rows: OutboxRow[]): TopicMessages[] {
    return groupByTopic(
      this.options.settings,
      rows.map((row) => ({
        topic: row.topic,
        key: row.message_key,
        value: row.value,
        headers: decodeHeaders(row.headers).map(({ name, value }) => [name, value] as const),
      })),
    );
  }

  private async holdLock(): Promise<boolean> {
    if (this.lockHolder) return true;
    const runner = this.options.dataSource.createQueryRunner();
    await runner.connect();
    const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.lockKey]);
    if (!locked) {
      await runner.release();
      return false;
    }
    this.lockHolder = runner;
    this.options.logger.info({ schema: this.options.schema }, 'outbox relay is the active publisher');
    return true;
  }

  private async releaseLock(): Promise<void> {
    const runner = this.lockHolder;
    this.lockHolder = undefined;
    if (!runner) return;
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [this.lockKey]).catch(() => undefined);
    await runner.release().catch(() => undefined);
  }

  private idle(ms: number): Promise<void> {
    if (this.nudged || !this.running) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wake = () => {
        this.nudged = false;
        finish();
      };
    });
  }
}

/** Messages by physical topic for one `sendBatch`, in their order (and so in order per key). */
export function groupByTopic(
  settings: Pick<KafkaSettings, 'topicPrefix'>,
  messages: readonly { topic: string; key: Buffer | string | null; value: Buffer; headers: readonly OutboxHeader[] }[],
): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages>();
  for (const message of messages) {
    const topic = physicalTopic(settings, message.topic);
    let entry = byTopic.get(topic);
    if (!entry) byTopic.set(topic, (entry = { topic, messages: [] }));
    const headers: IHeaders = {};
    for (const [name, value] of message.headers) {
      const before = headers[name];
      headers[name] = before === undefined ? value : ([] as (Buffer | string)[]).concat(before as Buffer | string | (Buffer | string)[], value);
    }
    entry.messages.push({ key: message.key, value: message.value, headers });
  }
  return [...byTopic.values()];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether the broker refused a publish because a message (or the batch) is larger than the topic takes: never retriable. */
export function messageTooLarge(error: unknown): boolean {
  for (
    let e = error as { type?: unknown; code?: unknown; message?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true;
    if (typeof e.message === 'string' && /message .*larger than the max|MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/i.test(e.message)) return true;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return false;
}
