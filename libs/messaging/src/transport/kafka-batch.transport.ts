import { createHash } from 'node:crypto';
import { AnyEvent, Keyring, SignatureVerdict, Topic, decodeEvent, dlqTopic, isTopic } from '@hitl/contracts';
import { contextOf, tracer } from '@hitl/tracing';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { Context, Span, SpanKind, SpanStatusCode, context as otelContext, trace } from '@opentelemetry/api';
import { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import { DataSource, EntityManager } from 'typeorm';
import { Inbox } from '../inbox/inbox';
import { KafkaSettings, logicalTopic, physicalTopic } from '../kafka/kafka-settings';
import { MessagingLogger } from '../logger';
import { deadLetterHeaders, tooLargeLetter } from '../outbox/dead-letter';
import { Outbox, OutboxHeader, RawOutboxMessage } from '../outbox/outbox';
import { EventPublisher, createEventPublisher } from '../kafka/event-publisher';
import { whileBrokerSettles } from '../kafka/topics-admin';
import { OutboxRelay, groupByTopic, messageTooLarge } from '../outbox/outbox-relay';
import { AfterCommitQueue } from './after-commit-queue';
import { unprocessableReason } from './errors';
import { Failure, classifyFailure } from './failures';
import { MessageContext, MessagePosition } from './message-context';
import { OffsetCommitter } from './offset-committer';
import {
  chunkSeconds,
  consumerLag,
  consumerRejoins,
  consumerRetries,
  messagesConsumed,
  publishedAfterCommit,
  publishedAfterCommitSetAside,
  signatureRefusals,
} from './transport.metrics';

/** What a handler of `invalidMessagePattern(topic)` receives for a message that broke the contract or whose signature was refused. */
export interface InvalidMessage {
  topic: Topic;
  /** A contract violation's code, or `unsigned` / `signature_invalid`. */
  violation: { code: string; message: string; decisionId?: string };
  position: MessagePosition;
  /** The original bytes, for what can still be read from them (e.g. the workspace). */
  raw: Buffer | null;
}

/** A message of a DLQ as it lies in the log: the original bytes, the reason in its headers. */
export interface RawMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

/** Handle messages of `topic` that failed decoding (after they are dead-lettered), e.g. to tell the agent. */
export function invalidMessagePattern(topic: Topic): string {
  return `${topic}#invalid`;
}

export interface CommittedChunk {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  count: number;
}

/**
 * How the transport treats signatures. `enforce`: an event that does not verify is
 * refused (dead-lettered, counted, logged as a security event) and never reaches the
 * handler. `record`: every event reaches the handler, with its verdict on the context
 * (the audit, which keeps everything and marks what did not verify).
 */
export interface SignatureChecks {
  keyring: Keyring;
  mode: 'enforce' | 'record';
}

export interface KafkaBatchTransportOptions {
  kafka: Kafka;
  signatures: SignatureChecks;
  /** Where handlers' events go; signs them with the service's key. */
  outbox?: Outbox;
  settings: KafkaSettings;
  /** The consumer group; also the consumer's name in the inbox and in DLQ headers. */
  groupId: string;
  dataSource: DataSource;
  /** The service's PostgreSQL schema, holding its inbox and outbox. */
  schema: string;
  relay?: OutboxRelay;
  logger: MessagingLogger;
  /** Messages handled per database transaction. */
  chunkSize?: number;
  /** Where a new consumer group starts; a control plane must not skip what it has not seen. */
  fromBeginning?: boolean;
  /** Partitions handled at once; each runs its own transactions, and order within a partition holds. */
  partitionsConsumedConcurrently?: number;
  /** How soon a replica that died without leaving is replaced in the group (Kafka's default is 30 s). */
  sessionTimeoutMs?: number;
  /** Called after a chunk's transaction committed and before its offset is committed (fault injection, metrics). */
  afterCommit?: (chunk: CommittedChunk) => void | Promise<void>;
  /** Called after a transaction committed and before the events its handler emitted after commit are published (fault injection). */
  beforePublish?: (events: number) => void | Promise<void>;
  /** How failures are retried (see failures.ts). */
  retry?: RetryOptions;
}

export interface RetryOptions {
  /** Attempts at one message failing for an unclassified reason before it is dead-lettered (default 5). */
  maxAttempts?: number;
  /** The first pause before a retry; it doubles each time (default 100 ms). */
  initialBackoffMs?: number;
  /** The longest pause between retries of a transient failure, which are never given up (default 5 s). */
  maxBackoffMs?: number;
}

interface Item {
  message: KafkaMessage;
  messageId: string;
  decoded: ReturnType<typeof decodeEvent>;
  verdict?: SignatureVerdict;
}

/** What a handler declares beside its pattern: `@EventPattern(topic, { batch: true, rederives: true })`. */
interface HandlerExtras {
  /** The run of valid events of a chunk in one call. */
  batch?: boolean;
  /**
   * The handler de-duplicates on its own records, and for an event it already handled
   * emits again (`emitAfterCommit`) what that event caused: its events are not claimed in
   * the inbox, and what it emits after commit is published without the outbox.
   */
  rederives?: boolean;
  /**
   * Whether the handler does anything with this (contract-valid) event. One it would ignore
   * is skipped before its signature is checked: nothing is claimed, handed or written, and it
   * is counted as `ignored`. Safe only on content the signature covers (an event that says
   * it is of no interest is of none, whoever wrote it); the other consumers of the topic still
   * refuse it when it is forged.
   */
  relevant?: (event: AnyEvent) => boolean;
}

/**
 * A NestJS transport strategy on kafkajs that consumes in batches. Each chunk of a batch
 * is one PostgreSQL transaction: inbox claims (dedupe on the CloudEvents id), handlers'
 * writes, the events they emit (outbox) and dead letters commit together; offsets are
 * resolved only after the commit. Handlers register with `@EventPattern(topic)`.
 * A handler that re-derives its outputs (`rederives`) skips the inbox and the outbox: its
 * events are published after the commit, while the next chunks are handled, and each chunk's
 * offset is committed once its events are acknowledged (AfterCommitQueue).
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  private consumer?: Consumer;
  /** Publishes what `rederives` handlers emit after commit; connected on first use. */
  private publisher?: EventPublisher;
  private readonly inbox: Inbox;
  private readonly outbox: Outbox;
  private readonly chunkSize: number;
  private readonly retry: Required<RetryOptions>;
  /** Commits resolved offsets off the path of the next fetch; flushed when the consumer closes. */
  private committer?: OffsetCommitter;
  /** Set by close(): batches stop at their next chunk, so what was handled can be committed before leaving. */
  private closing = false;
  private readonly batchesInFlight = new Set<Promise<void>>();
  /** Set while the consumer is restarted to rejoin its group (see rejoin). */
  private rejoining = false;
  /** Chunks committed, their after-commit events being published before their offsets are committed. */
  private readonly afterCommit: AfterCommitQueue;
  /** Handlers by pattern, looked up once (handlerFor). */
  private readonly handlers = new Map<string, MessageHandler | null>();

  constructor(private readonly options: KafkaBatchTransportOptions) {
    super();
    this.inbox = new Inbox(options.schema);
    this.outbox = options.outbox ?? new Outbox(options.schema);
    this.chunkSize = options.chunkSize ?? 200;
    this.retry = { maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 5_000, ...options.retry };
    this.afterCommit = new AfterCommitQueue({
      capacity: AFTER_COMMIT_CAPACITY,
      backoffMs: (failures) => this.backoff(failures),
      onFailure: (error, rewinds) => {
        for (const { topic } of rewinds) consumerRetries.inc({ topic: logicalTopic(this.options.settings, topic), kind: 'transient' });
        this.options.logger.warn(
          { err: error, rewinds, consumer: this.options.groupId },
          'publishing events after their commit failed; reading again from the first chunk not published',
        );
        for (const rewind of rewinds) {
          try {
            this.consumer?.seek(rewind);
          } catch (seekError) {
            // Not running any more: its uncommitted offsets bring the chunks back after a restart.
            this.options.logger.warn({ err: seekError, rewind, consumer: this.options.groupId }, 'could not read the partition again now');
          }
        }
      },
    });
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error) => callback(error),
    );
  }

  async close(): Promise<void> {
    const consumer = this.consumer;
    if (consumer) {
      // The chunks being handled finish, their offsets are committed, then the group is left.
      this.closing = true;
      await Promise.allSettled([...this.batchesInFlight]);
      await this.afterCommit.flush();
      await this.committer?.flush();
      await consumer.disconnect();
    }
    this.consumer = undefined;
    const publisher = this.publisher;
    this.publisher = undefined;
    await publisher?.disconnect().catch(() => undefined);
  }

  on(): never {
    throw new Error('KafkaBatchTransport does not emit status events; use /healthz');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  /** The topics this service has handlers for: topics of the contract, and their DLQs (read raw). */
  topics(): string[] {
    const topics = new Set<string>();
    for (const pattern of this.messageHandlers.keys()) {
      const topic = pattern.replace(/#invalid$/, '');
      const dlqOf = topic.replace(/\.dlq$/, '');
      if (!isTopic(topic) && !(topic !== dlqOf && isTopic(dlqOf))) {
        throw new Error(`@EventPattern("${pattern}") is not a topic of the wire contract nor one of their DLQs`);
      }
      topics.add(topic);
    }
    return [...topics];
  }

  private async start(): Promise<void> {
    const topics = this.topics();
    if (topics.length === 0) return;
    const { kafka, settings, groupId } = this.options;
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000;
    this.consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 5)),
    });
    await this.consumer.connect();
    const consumer = this.consumer;
    const committer = new OffsetCommitter(
      (offsets) => consumer.commitOffsets(offsets),
      (error, offsets) =>
        this.options.logger.warn(
          { err: error, offsets, consumer: groupId },
          'committing offsets failed; their messages come again after a restart or a rebalance',
        ),
      { onMembershipLost: () => void this.rejoin(), spacingMs: COMMIT_SPACING_MS },
    );
    this.committer = committer;
    // What was handled of partitions given to another member is theirs to commit from now on.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      committer.keepOnly((topic, partition) => payload.memberAssignment[topic]?.includes(partition) ?? false),
    );
    await whileBrokerSettles(() =>
      consumer.subscribe({ topics: topics.map((t) => physicalTopic(settings, t)), fromBeginning: this.options.fromBeginning ?? true }),
    );
    await this.run(consumer);
    this.options.logger.info({ groupId, topics }, 'consuming');
  }

  private run(consumer: Consumer): Promise<void> {
    return consumer.run({
      eachBatchAutoResolve: false,
      // Offsets are committed by the committer, after each chunk's commit, without holding up the next fetch.
      autoCommit: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => {
        const handled = this.handleBatch(payload);
        this.batchesInFlight.add(handled);
        return handled.finally(() => this.batchesInFlight.delete(handled));
      },
    });
  }

  /**
   * Restarts the consumer: its commits keep being refused as from no member of the group, and
   * kafkajs did not rejoin (it stops trying when the coordinator is away at its first attempt,
   * then fetches on without heartbeats). Stopping waits for the chunks in hand; running again
   * joins the group, which hands each partition out from its committed offset.
   */
  private async rejoin(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || this.closing || this.rejoining) return;
    this.rejoining = true;
    this.options.logger.warn({ consumer: this.options.groupId }, 'offsets refused: this consumer is no longer in its group; restarting it to rejoin');
    consumerRejoins.inc({ consumer: this.options.groupId });
    try {
      await consumer.stop();
      if (!this.closing) await this.run(consumer);
    } catch (error) {
      this.options.logger.error({ err: error, consumer: this.options.groupId }, 'restarting the consumer failed');
    } finally {
      this.rejoining = false;
    }
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat } = payload;
    const topic = logicalTopic(this.options.settings, batch.topic);
    for (let i = 0; i < batch.messages.length; i += this.chunkSize) {
      if (!(await this.roomAfterCommit(payload))) return;
      const messages = batch.messages.slice(i, i + this.chunkSize);
      const timer = chunkSeconds.startTimer({ topic, consumer: this.options.groupId });
      const toPublish = await this.settle(topic, batch.partition, messages, payload);
      // Not settled: the consumer is stopping or lost the partition; the next owner redelivers.
      if (toPublish === null) return;
      timer();
      const chunk: CommittedChunk = {
        topic,
        partition: batch.partition,
        firstOffset: messages[0].offset,
        lastOffset: messages[messages.length - 1].offset,
        count: messages.length,
      };
      await this.options.afterCommit?.(chunk);
      // Read again from an earlier chunk whose events were not published (see AfterCommitQueue):
      // this one comes again too, and nothing of it goes out or is committed from here.
      if (payload.isStale()) return;
      resolveOffset(chunk.lastOffset);
      consumerLag.set(
        { consumer: this.options.groupId, topic, partition: String(batch.partition) },
        Math.max(0, Number(batch.highWatermark) - Number(chunk.lastOffset) - 1),
      );
      const next = (BigInt(chunk.lastOffset) + 1n).toString();
      // The next chunk does not wait for this one's events to be acknowledged; its offset does.
      this.afterCommit.add({
        topic: batch.topic,
        partition: batch.partition,
        firstOffset: chunk.firstOffset,
        publish: () => (toPublish.length > 0 ? this.publishAfterCommit(toPublish) : Promise.resolve()),
        published: () => this.committer?.commit(batch.topic, batch.partition, next),
      });
      await heartbeat();
    }
  }

  /**
   * Waits while the chunks committed and not yet published fill their queue, or a failed
   * publish holds new chunks back (staying in the group); false when the consumer stops or
   * loses the partition meanwhile.
   */
  private async roomAfterCommit(payload: EachBatchPayload): Promise<boolean> {
    while (!this.afterCommit.hasRoom()) {
      if (this.stopped(payload)) return false;
      const hold = this.afterCommit.holdMs();
      if (hold > 0) {
        if (!(await this.pause(hold, payload))) return false;
        continue;
      }
      await Promise.race([this.afterCommit.changed(), sleep(500)]);
      await payload.heartbeat();
    }
    return !this.stopped(payload);
  }

  /**
   * Handles a chunk until every message in it is handled or dead-lettered; false when the
   * consumer stopped first. A transient failure retries the chunk, for as long as it lasts.
   * Any other failure isolates the message at fault: the chunk is split in halves, each
   * handled on its own, down to the one message, so its neighbours are never dead-lettered
   * with it. That message is dead-lettered at once when the failure is permanent, after a
   * bounded number of attempts when it is unclassified.
   */
  private async settle(topic: string, partition: number, messages: KafkaMessage[], payload: EachBatchPayload): Promise<AfterCommitMessages | null> {
    let transientAttempts = 0;
    let unclassifiedAttempts = 0;
    for (;;) {
      if (this.stopped(payload)) return null;
      let failure: Failure;
      try {
        if (isTopic(topic)) return await this.handleChunk(topic, partition, messages);
        await this.handleRawChunk(topic, partition, messages);
        return [];
      } catch (error) {
        failure = classifyFailure(error);
      }
      const at = {
        topic,
        partition,
        firstOffset: messages[0].offset,
        count: messages.length,
        code: failure.code,
        reason: failure.message,
        consumer: this.options.groupId,
      };
      if (failure.kind === 'transient' || (failure.kind === 'unclassified' && !(await this.databaseAnswers()))) {
        // Nothing was committed; the same chunk again once the database or the broker is back.
        consumerRetries.inc({ topic, kind: 'transient' });
        const pause = this.backoff(transientAttempts++);
        this.options.logger.warn({ ...at, retryInMs: pause }, 'chunk failed for a transient reason; retrying it');
        if (!(await this.pause(pause, payload))) return null;
        continue;
      }
      if (messages.length > 1) {
        consumerRetries.inc({ topic, kind: 'isolated' });
        this.options.logger.warn(at, 'chunk failed; handling its halves apart to find the message at fault');
        const half = Math.ceil(messages.length / 2);
        const first = await this.settle(topic, partition, messages.slice(0, half), payload);
        if (first === null) return null;
        const second = await this.settle(topic, partition, messages.slice(half), payload);
        return second === null ? null : [...first, ...second];
      }
      if (failure.kind === 'unclassified' && ++unclassifiedAttempts < this.retry.maxAttempts) {
        consumerRetries.inc({ topic, kind: 'unclassified' });
        const pause = this.backoff(unclassifiedAttempts - 1);
        this.options.logger.warn({ ...at, attempt: unclassifiedAttempts, retryInMs: pause }, 'message failed for an unclassified reason; retrying it');
        if (!(await this.pause(pause, payload))) return null;
        continue;
      }
      if (failure.kind === 'unclassified') failure = { ...failure, message: `failed ${unclassifiedAttempts} times: ${failure.message}` };
      return (await this.deadLetterAlone(topic, partition, messages[0], failure, payload)) ? [] : null;
    }
  }

  /**
   * The one message at fault, in a transaction of its own: claimed by its place in the log
   * (and its event id, so a redelivery has no second go), dead-lettered with the reason, and
   * its service's `#invalid` handler told (e.g. to answer the agent) when that can be written.
   */
  private async deadLetterAlone(topic: string, partition: number, message: KafkaMessage, failure: Failure, payload: EachBatchPayload): Promise<boolean> {
    const place = `${topic}/${partition}/${message.offset}`;
    const decoded = isTopic(topic) ? decodeEvent(topic, message.value) : null;
    const verdict = decoded?.ok ? await this.options.signatures.keyring.verifyAsync(decoded.raw, decoded.event) : undefined;
    // What the letter says: why the message was refused first, if it was, or the failure.
    let reason: { code: string; message: string; decisionId?: string };
    if (decoded && !decoded.ok) reason = { ...decoded.violation, message: `${decoded.violation.message} (and telling the service failed: ${failure.message})` };
    else if (verdict && !verdict.ok && this.options.signatures.mode === 'enforce')
      reason = { code: verdict.code, message: verdict.reason, decisionId: decoded?.ok ? decoded.event.subject : undefined };
    else reason = { code: failure.code, message: failure.message, decisionId: decoded?.ok ? decoded.event.subject : undefined };
    const onInvalid = isTopic(topic) ? this.handlerFor(invalidMessagePattern(topic)) : null;

    for (let attempt = 0; ; attempt++) {
      if (this.stopped(payload)) return false;
      try {
        await this.transaction(async (manager) => {
          const ids = [...new Set([place, claimId(topic, partition, message, decoded, verdict)])];
          await manager.query('SAVEPOINT hitl_claim');
          let fresh: Set<string>;
          try {
            fresh = await this.inbox.claim(
              manager,
              this.options.groupId,
              ids.map((id) => ({ id, topic })),
            );
          } catch {
            // An id the inbox cannot keep: the place in the log alone is enough.
            await manager.query('ROLLBACK TO SAVEPOINT hitl_claim');
            fresh = await this.inbox.claim(manager, this.options.groupId, [{ id: place, topic }]);
          }
          if (!fresh.has(place)) return; // dead-lettered before, by a replica that did not get to commit its offset
          if (!isTopic(topic)) {
            // A letter of a DLQ its handler can never take: there is no DLQ of a DLQ, so it is
            // claimed and skipped, loudly.
            messagesConsumed.inc({ topic, outcome: 'skipped' });
            this.options.logger.error(
              { topic, partition, offset: message.offset, code: reason.code, reason: reason.message, consumer: this.options.groupId },
              'dead letter skipped: its handler can never take it',
            );
            return;
          }
          await this.deadLetter(manager, topic, partition, message, reason.code, reason.message);
          if (!onInvalid) return;
          await manager.query('SAVEPOINT hitl_invalid');
          try {
            const position: MessagePosition = { topic, partition, offset: message.offset, key: message.key?.toString('utf8') ?? null };
            const invalid: InvalidMessage = { topic, violation: reason, position, raw: message.value };
            await this.invoke(onInvalid, invalid, new MessageContext(manager, this.outbox, position));
            await manager.query('RELEASE SAVEPOINT hitl_invalid');
          } catch (error) {
            // The letter stands even when nobody can be told.
            await manager.query('ROLLBACK TO SAVEPOINT hitl_invalid');
            this.options.logger.warn(
              { topic, partition, offset: message.offset, err: error, consumer: this.options.groupId },
              'the service could not be told of a dead-lettered message',
            );
          }
        });
        return true;
      } catch (error) {
        // The dead letter accepts any bytes, so this is the database going away: wait for it.
        const pause = this.backoff(attempt);
        this.options.logger.warn({ topic, partition, offset: message.offset, err: error, retryInMs: pause }, 'dead-lettering failed; retrying');
        if (!(await this.pause(pause, payload))) return false;
      }
    }
  }

  /**
   * One transaction of this consumer; once it committed, the relay is woken if it wrote to
   * the outbox. Only then: a chunk that wrote nothing there (a re-deriving handler's, a
   * de-duplicated one) would send the relay to read an empty outbox, one query per chunk.
   */
  private async transaction(work: (manager: EntityManager) => Promise<void>): Promise<void> {
    let manager: EntityManager | undefined;
    await this.options.dataSource.transaction((m) => {
      manager = m;
      return work(m);
    });
    if (manager && this.outbox.wroteIn(manager)) this.options.relay?.nudge();
  }

  /** Whether this partition's work should stop: the consumer stops or closes, or lost the partition. */
  private stopped(payload: EachBatchPayload): boolean {
    return this.closing || !payload.isRunning() || payload.isStale();
  }

  private backoff(attempt: number): number {
    return Math.min(this.retry.initialBackoffMs * 2 ** Math.min(attempt, 20), this.retry.maxBackoffMs);
  }

  /** Sleeps while staying in the group (heartbeats); false when the consumer stops or loses the partition meanwhile. */
  private async pause(ms: number, payload: EachBatchPayload): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (this.stopped(payload)) return false;
      await sleep(Math.min(500, until - Date.now()));
      await payload.heartbeat();
    }
    return !this.stopped(payload);
  }

  /** Whether PostgreSQL answers at all: an unclassified failure while it does not is the outage's, not the message's. */
  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.options.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /** Handles a chunk in one transaction; returns what its handlers emitted to publish after the commit. */
  private async handleChunk(topic: Topic, partition: number, messages: KafkaMessage[]): Promise<AfterCommitMessages> {
    const { keyring } = this.options.signatures;
    // The chunk's signatures are checked together, on a worker thread (SIGNATURE_VERIFY_THREADS) or libuv's pool: Ed25519 is the costly part.
    const enforce = this.options.signatures.mode === 'enforce';
    const handler = this.handlerFor(topic);
    const onInvalid = this.handlerFor(invalidMessagePattern(topic));
    const extras = (handler?.extras ?? {}) as HandlerExtras;
    const decodedAll = messages.map((message) => ({ message, decoded: decodeEvent(topic, message.value) }));
    // What the handler would do nothing with, by the content a signature covers: not verified,
    // claimed or handed (see HandlerExtras.relevant). Messages that break the contract still are refused.
    const { relevant } = extras;
    const kept = relevant ? decodedAll.filter(({ decoded }) => !decoded.ok || relevant(decoded.event)) : decodedAll;
    if (kept.length < messages.length) messagesConsumed.inc({ topic, outcome: 'ignored' }, messages.length - kept.length);
    if (kept.length === 0) return [];
    const items: Item[] = await Promise.all(
      kept.map(async ({ message, decoded }) => {
        const verdict = decoded.ok ? await keyring.verifyAsync(decoded.raw, decoded.event) : undefined;
        // Refused or not acted on (a service that records refusals), a refused event never claims the id it carries.
        const messageId = claimId(topic, partition, message, decoded, verdict);
        return { message, messageId, decoded, verdict };
      }),
    );
    // What a handler is told of each event's signature, by event id: only ever for the events
    // it is handed in one call, and never two of them with one id (a run ends before a second),
    // so a refused copy carrying the id of an event that verified is never taken for it, nor
    // the reverse, by a service that records refusals.
    const verdictsOf = (handed: readonly Item[]) => {
      const verdicts = new Map<string, SignatureVerdict>();
      for (const i of handed) if (i.decoded.ok && i.verdict) verdicts.set(i.decoded.event.id, i.verdict);
      return verdicts;
    };
    const batchMode = extras.batch === true;
    const rederives = batchMode && extras.rederives === true;
    const acted = (item: Item) => item.decoded.ok && !(enforce && item.verdict && !item.verdict.ok);
    // Encoded in the transaction (a signing failure rolls it back), published after it.
    let afterCommit: AfterCommitMessages = [];

    await this.transaction(async (manager) => {
      const outputs: AnyEvent[] = [];
      // Batch mode: the run of valid events since the last invalid message, handled in one call.
      let batched: { item: Item; event: AnyEvent; traced: Traced }[] = [];
      const batchedIds = new Set<string>();
      const flush = async () => {
        if (!handler || batched.length === 0) return;
        const run = batched;
        batched = [];
        batchedIds.clear();
        const position: MessagePosition = { topic, partition, offset: run[0].item.message.offset, key: null };
        // Each event of the run has its span; what the handler emits about its subject carries that span's context.
        const traces = new Map(run.map((r) => [r.event.subject, r.traced.context]));
        const context = new MessageContext(manager, this.outbox, position, verdictsOf(run.map((r) => r.item)), rederives ? outputs : undefined, traces);
        try {
          // One call for the run: the handler writes it in one go. Any error retries the chunk.
          await otelContext.with(run.length === 1 ? run[0].traced.context : otelContext.active(), () =>
            this.invoke(
              handler,
              run.map((r) => r.event),
              context,
            ),
          );
        } catch (error) {
          for (const r of run) endSpan(r.traced.span, error);
          throw error;
        }
        for (const { item, traced } of run) {
          const refusal = context.rejected.get(item.messageId);
          endSpan(traced.span, refusal ? new Error(`${refusal.code}: ${refusal.message}`) : undefined);
          if (refusal) await this.deadLetter(manager, topic, partition, item.message, refusal.code, refusal.message);
        }
        messagesConsumed.inc({ topic, outcome: 'handled' }, run.length - context.rejected.size);
      };
      // Never acted on: dead-lettered, and the service told why when it listens (`tell`).
      const refuse = async (item: Item, position: MessagePosition, context: MessageContext, violation: InvalidMessage['violation'], tell = true) => {
        await this.deadLetter(manager, topic, partition, item.message, violation.code, violation.message);
        if (onInvalid && tell) await this.invoke(onInvalid, { topic, violation, position, raw: item.message.value } satisfies InvalidMessage, context);
      };
      // A handler that re-derives its outputs de-duplicates on its own records: only what it
      // never sees (refused messages) is claimed here, and repeats within the chunk are dropped.
      const fresh = await this.inbox.claim(
        manager,
        this.options.groupId,
        items.filter((i) => !rederives || !acted(i)).map((i) => ({ id: i.messageId, topic })),
      );
      const seen = new Set<string>();
      for (const item of items) {
        // A redelivery, or the same event twice in one chunk: no second effect.
        let repeat: boolean;
        if (rederives && acted(item)) {
          repeat = seen.has(item.messageId);
          seen.add(item.messageId);
        } else repeat = !fresh.delete(item.messageId);
        if (repeat) {
          messagesConsumed.inc({ topic, outcome: 'duplicate' });
          continue;
        }
        const position: MessagePosition = { topic, partition, offset: item.message.offset, key: item.message.key?.toString('utf8') ?? null };
        const context = new MessageContext(manager, this.outbox, position, verdictsOf([item]));
        if (!item.decoded.ok) {
          // Events before it come first, as they would one at a time.
          await flush();
          const { code, message, decisionId } = item.decoded.violation;
          await refuse(item, position, context, { code, message, decisionId });
          continue;
        }
        const verdict = item.verdict;
        if (enforce && verdict && !verdict.ok) {
          // Never acted on: dead-lettered with its code, counted, logged as a security event.
          await flush();
          const event = item.decoded.event;
          signatureRefusals.inc({ topic, code: verdict.code, consumer: this.options.groupId });
          this.options.logger.warn(
            {
              security: true,
              topic,
              partition,
              offset: item.message.offset,
              code: verdict.code,
              reason: verdict.reason,
              kid: verdict.kid,
              type: event.type,
              workspace: event.workspaceid,
              eventId: event.id,
              consumer: this.options.groupId,
            },
            'signature refused: the event is not acted on',
          );
          await refuse(item, position, context, { code: verdict.code, message: verdict.reason, decisionId: event.subject });
          continue;
        }
        if (!handler) {
          messagesConsumed.inc({ topic, outcome: 'handled' });
          continue;
        }
        const traced = this.consumerSpan(topic, partition, item.message, item.decoded.event);
        if (batchMode) {
          // A second event with an id the run holds (a copy, refused or not) starts the next run.
          if (batchedIds.has(item.decoded.event.id)) await flush();
          batched.push({ item, event: item.decoded.event, traced });
          batchedIds.add(item.decoded.event.id);
          continue;
        }
        await manager.query('SAVEPOINT hitl_message');
        try {
          await otelContext.with(traced.context, () => this.invoke(handler, (item.decoded as { event: AnyEvent }).event, context));
          endSpan(traced.span);
          await manager.query('RELEASE SAVEPOINT hitl_message');
          messagesConsumed.inc({ topic, outcome: 'handled' });
        } catch (error) {
          endSpan(traced.span, error);
          const failure = classifyFailure(error);
          if (failure.kind !== 'permanent') throw error;
          // Undo this message's writes only; the rest of the chunk stands. A refusal the
          // handler did not make itself (the database's) is also told to the service.
          await manager.query('ROLLBACK TO SAVEPOINT hitl_message');
          await refuse(
            item,
            position,
            context,
            { code: failure.code, message: failure.message, decisionId: item.decoded.event.subject },
            !unprocessableReason(error),
          );
        }
      }
      await flush();
      if (outputs.length > 0) afterCommit = this.outbox.encode(outputs, { checkContract: false });
    });
    return afterCommit;
  }

  /**
   * What `rederives` handlers emitted, once their transaction committed (AfterCommitQueue
   * calls it, in commit order): acknowledged by every in-sync replica before the chunk's
   * offset is committed. A failure here drops it and the chunks queued behind it, and their
   * partitions are read again from there: the handler emits it all again. But a message the
   * broker refuses as larger than its topic takes would fail it for good (its partition
   * stopped behind it), so the chunk's messages then go one at a time and that one is set
   * aside. Resolves once each is published or set aside.
   */
  private async publishAfterCommit(messages: AfterCommitMessages): Promise<void> {
    await this.options.beforePublish?.(messages.length);
    // Connected on its first publish, and again after a connection that failed.
    const publisher = (this.publisher ??= createEventPublisher({ client: 'kafkajs', kafka: this.options.kafka }));
    let published = messages;
    try {
      await publisher.publish(groupByTopic(this.options.settings, messages));
    } catch (error) {
      if (!messageTooLarge(error)) throw error;
      // By a new producer, as the broker may have taken the other partitions of the request
      // (EventPublisher.renew says why).
      await publisher.renew();
      published = [];
      for (const message of messages) if (await this.publishOrSetAside(publisher, message)) published.push(message);
    }
    for (const message of published) publishedAfterCommit.inc({ topic: message.topic });
  }

  /**
   * One message; refused as larger than its topic takes, it is replaced by a letter on the
   * topic's DLQ (its key and headers, no bytes, the reason), which the audit records, and
   * counted and logged as an error: the event is never published.
   */
  private async publishOrSetAside(publisher: EventPublisher, message: RawOutboxMessage): Promise<boolean> {
    try {
      await publisher.publish(groupByTopic(this.options.settings, [message]));
      return true;
    } catch (error) {
      if (!messageTooLarge(error)) throw error;
    }
    const { letter, bytes } = tooLargeLetter(message, this.options.groupId);
    publishedAfterCommitSetAside.inc({ topic: message.topic });
    this.options.logger.error(
      { topic: message.topic, eventId: message.messageId, bytes, consumer: this.options.groupId },
      'event set aside: too large for its topic',
    );
    await publisher.publish(groupByTopic(this.options.settings, [letter]));
    return false;
  }

  /** A DLQ: its messages are not events of the contract; de-duplicated on their place in the log, handled in one call. */
  private async handleRawChunk(topic: string, partition: number, messages: KafkaMessage[]): Promise<void> {
    const handler = this.handlerFor(topic);
    if (!handler) return;
    await this.transaction(async (manager) => {
      const id = (m: KafkaMessage) => `${topic}/${partition}/${m.offset}`;
      const fresh = await this.inbox.claim(
        manager,
        this.options.groupId,
        messages.map((m) => ({ id: id(m), topic })),
      );
      const raw: RawMessage[] = messages
        .filter((m) => fresh.has(id(m)))
        .map((m) => ({
          topic,
          partition,
          offset: m.offset,
          key: m.key?.toString('utf8') ?? null,
          value: m.value,
          headers: textHeaders(m.headers),
          timestamp: m.timestamp,
        }));
      messagesConsumed.inc({ topic, outcome: 'duplicate' }, messages.length - raw.length);
      if (raw.length === 0) return;
      const position: MessagePosition = { topic, partition, offset: raw[0].offset, key: null };
      await this.invoke(handler, raw, new MessageContext(manager, this.outbox, position));
      messagesConsumed.inc({ topic, outcome: 'handled' }, raw.length);
    });
  }

  /**
   * The span of handling one event: a child of the context the event carries (its
   * `traceparent`), so the trace goes on from whoever emitted it; active while its handler
   * runs, and the parent of what the handler emits. Without an SDK it is the API's no-op,
   * which keeps the incoming context (passed on unchanged).
   */
  private consumerSpan(topic: Topic, partition: number, message: KafkaMessage, event: AnyEvent): Traced {
    const parent = contextOf(event);
    const span = tracer().startSpan(`${topic} process`, { kind: SpanKind.CONSUMER }, parent);
    if (span.isRecording())
      span.setAttributes({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
        'messaging.kafka.offset': Number(message.offset),
        'messaging.consumer.group.name': this.options.groupId,
        'messaging.message.id': event.id,
        'cloudevents.event_type': event.type,
        'cloudevents.event_subject': event.subject,
      });
    return { span, context: trace.setSpan(parent, span) };
  }

  /**
   * The handler of a pattern, from the handlers registered before the transport started. Nest's
   * lookup first parses the pattern as JSON, and a topic name is none: an Error with its stack
   * thrown and caught twice a chunk, which at low rates (a message or two a chunk) showed in
   * the profile. Looked up once instead.
   */
  private handlerFor(pattern: string): MessageHandler | null {
    let handler = this.handlers.get(pattern);
    if (handler === undefined) {
      handler = this.getHandlerByPattern(pattern);
      this.handlers.set(pattern, handler);
    }
    return handler;
  }

  private async invoke(handler: MessageHandler, data: unknown, context: MessageContext): Promise<void> {
    const result = await handler(data, context);
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }

  /**
   * The original bytes, unchanged (value, key and headers), with the reason and the consumer
   * in headers; via the outbox, so it commits with the offset. Headers named like ours are
   * the letter's own: a message that arrives with them does not get to set them.
   */
  private async deadLetter(manager: EntityManager, topic: Topic, partition: number, message: KafkaMessage, code: string, reason: string): Promise<void> {
    messagesConsumed.inc({ topic, outcome: 'dead_lettered' });
    this.options.logger.warn({ topic, partition, offset: message.offset, code, reason, consumer: this.options.groupId }, 'message dead-lettered');
    const headers = deadLetterHeaders(byteHeaders(message.headers), { reason, code, consumer: this.options.groupId, topic, partition, offset: message.offset });
    const letter: RawOutboxMessage = {
      topic: dlqTopic(topic),
      key: message.key ?? null,
      value: message.value ?? Buffer.alloc(0),
      headers,
      messageId: `${topic}/${partition}/${message.offset}`,
    };
    await this.outbox.publishRaw(manager, [letter]);
  }
}

/** A consumer span and the context it is active in. */
interface Traced {
  span: Span;
  context: Context;
}

/** Ends a consumer span, marked failed with `error` when there is one. */
function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined && span.isRecording()) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/**
 * What a message is de-duplicated by: an event's id; a message that cannot be decoded, its
 * place in the log; an event whose signature is refused, its bytes, whether the service acts
 * on refusals or records them (the audit). Never a refused event's id: a forgery carrying the
 * id of a real event (read off another partition) would otherwise claim it first, and the
 * real event would be skipped as its copy.
 */
function claimId(
  topic: string,
  partition: number,
  message: KafkaMessage,
  decoded: ReturnType<typeof decodeEvent> | null,
  refusal: SignatureVerdict | undefined,
): string {
  if (!decoded?.ok) return `${topic}/${partition}/${message.offset}`;
  if (refusal && !refusal.ok)
    return `refused/${createHash('sha256')
      .update(message.value ?? Buffer.alloc(0))
      .digest('hex')}`;
  return decoded.event.id;
}

/** Every header value as it arrived, in order (a name may repeat). */
function byteHeaders(headers: IHeaders | undefined): OutboxHeader[] {
  const out: OutboxHeader[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) out.push([name, Buffer.isBuffer(one) ? one : Buffer.from(String(one))]);
  }
  return out;
}

/** Headers as text for a DLQ's handlers (the first value of each name). */
function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

/**
 * The least time between two offset commits of a consumer: at low rates a chunk is a message or
 * two, and a commit each was most of the consumer's requests to the broker. A crash loses at
 * most this much of commits: those messages come again and are de-duplicated.
 */
const COMMIT_SPACING_MS = 200;

/** Chunks of a consumer committed and waiting for their events to be published; the next chunk waits beyond this. */
const AFTER_COMMIT_CAPACITY = 8;

/** What `rederives` handlers of a chunk emitted, encoded, to publish once the chunk committed. */
type AfterCommitMessages = ReturnType<Outbox['encode']>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
