import { AnyEvent, CLOUDEVENTS_CONTENT_TYPE, CONTENT_TYPE_HEADER, SigningKey, assertValidEvent, signedEventJson, topicOf } from '@hitl/contracts';
import { withTraceContext } from '@hitl/tracing';
import { EntityManager } from 'typeorm';
import { sqlSchema } from '../schema';

/** A Kafka header as it is published: a name, and bytes (or text, written as UTF-8). */
export type OutboxHeader = readonly [name: string, value: Buffer | string];

/** A message the relay will publish as it is: a dead letter, with the original bytes. */
export interface RawOutboxMessage {
  topic: string;
  /** Kept as bytes: a dead letter's key is whatever the refused message had. */
  key: Buffer | string | null;
  value: Buffer;
  headers: readonly OutboxHeader[];
  /** What makes it unique, for the record; null when nothing does. */
  messageId: string | null;
}

/**
 * Writes outgoing messages into the service's outbox table, inside the caller's
 * transaction, so they are published if and only if the state change commits.
 * Topics are stored by their contract name; the relay applies the cluster's prefix.
 */
export class Outbox {
  private readonly table: string;
  /** The transactions (by their manager) that wrote rows: only those are worth waking the relay for. */
  private readonly writers = new WeakSet<EntityManager>();

  /** `signer`: the service's key; every event it emits is signed with it (the wire contract's Signatures). */
  constructor(
    schema: string,
    private readonly signer?: SigningKey,
  ) {
    this.table = `${sqlSchema(schema)}.outbox`;
  }

  /** Events of the contract, checked against it and signed before they are written. Key: the decision. */
  async publish(manager: EntityManager, events: readonly AnyEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.insert(manager, this.encode(events, { checkContract: true }));
  }

  /**
   * Events as the relay would publish them: signed with the service's key, keyed by their
   * subject. `checkContract: false` for outputs of pure functions whose tests check them
   * against the contract (the router's hot path), where the check costs more than routing.
   */
  encode(events: readonly AnyEvent[], options: { checkContract: boolean }): RawOutboxMessage[] {
    if (events.length === 0) return [];
    const signer = this.signer;
    if (!signer) throw new Error('this service has no signing key (SIGNING_KEY_FILE), so it cannot emit events');
    return events.map((event): RawOutboxMessage => {
      if (options.checkContract) assertValidEvent(event);
      return {
        topic: topicOf(event.type),
        key: event.subject,
        // The trace context (CloudEvents distributed tracing) before signing: the signature covers it.
        value: Buffer.from(signedEventJson(withTraceContext(event), signer), 'utf8'),
        // The CloudEvents Kafka binding, structured mode: the event is the value, and says so.
        headers: [[CONTENT_TYPE_HEADER, CLOUDEVENTS_CONTENT_TYPE]],
        messageId: event.id,
      };
    });
  }

  async publishRaw(manager: EntityManager, messages: readonly RawOutboxMessage[]): Promise<void> {
    await this.insert(manager, messages);
  }

  /** Whether this transaction wrote to the outbox (asked once it committed, to wake the relay or not). */
  wroteIn(manager: EntityManager): boolean {
    return this.writers.has(manager);
  }

  private async insert(manager: EntityManager, rows: readonly RawOutboxMessage[]): Promise<void> {
    if (rows.length === 0) return;
    this.writers.add(manager);
    // One round trip for the whole batch; ids follow the array order, which the relay keeps.
    // Keys and headers go as bytes (base64 in JSON), so no letter can be refused as text.
    await manager.query(
      `INSERT INTO ${this.table} (topic, message_key, value, headers, event_id)
       SELECT topic, message_key, value, headers, event_id
         FROM UNNEST($1::text[], $2::bytea[], $3::bytea[], $4::jsonb[], $5::text[])
              WITH ORDINALITY AS m(topic, message_key, value, headers, event_id, n)
        ORDER BY n`,
      [
        rows.map((r) => r.topic),
        rows.map((r) => (r.key === null ? null : Buffer.from(r.key))),
        rows.map((r) => r.value),
        rows.map((r) => JSON.stringify(encodeHeaders(r.headers))),
        rows.map((r) => r.messageId),
      ],
    );
  }
}

/** Headers as the outbox stores them: [name, value] pairs, both base64. */
export function encodeHeaders(headers: readonly OutboxHeader[]): [string, string][] {
  return headers.map(([name, value]) => [Buffer.from(name, 'utf8').toString('base64'), Buffer.from(value).toString('base64')]);
}

/** The stored pairs back as Kafka headers (a name may repeat, as Kafka allows). */
export function decodeHeaders(stored: readonly (readonly [string, string])[]): { name: string; value: Buffer }[] {
  return stored.map(([name, value]) => ({ name: Buffer.from(name, 'base64').toString('utf8'), value: Buffer.from(value, 'base64') }));
}
