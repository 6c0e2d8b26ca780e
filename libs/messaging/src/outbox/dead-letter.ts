import { dlqTopic } from '@hitl/contracts';
import { OutboxHeader } from './outbox';

/** Where a dead letter says what happened; a letter's own headers are dropped from what it carries over. */
const DLQ_HEADER_PREFIX = 'hitl-dlq-';

/** What a dead letter tells of its message: why, who refused it, where it came from. */
export interface DeadLetterNote {
  reason: string;
  code: string;
  /** The consumer group that refused it, or `outbox-relay:<schema>` for a message never published. */
  consumer: string;
  topic: string;
  /** Its place in the log, when it was read from one. */
  partition?: number;
  offset?: string;
}

/** The headers of a dead letter: the message's own (but an earlier letter's), then the `hitl-dlq-*` ones. */
export function deadLetterHeaders(original: readonly OutboxHeader[], note: DeadLetterNote): OutboxHeader[] {
  const headers: OutboxHeader[] = original.filter(([name]) => !name.startsWith(DLQ_HEADER_PREFIX));
  headers.push(['hitl-dlq-error', note.reason], ['hitl-dlq-error-code', note.code], ['hitl-dlq-consumer', note.consumer], ['hitl-dlq-topic', note.topic]);
  if (note.partition !== undefined) headers.push(['hitl-dlq-partition', String(note.partition)]);
  if (note.offset !== undefined) headers.push(['hitl-dlq-offset', note.offset]);
  headers.push(['hitl-dlq-time', new Date().toISOString()]);
  return headers;
}

/** A message on its way to a topic (a logical topic name: the cluster's prefix is applied on publishing). */
export interface OutgoingMessage {
  topic: string;
  key: Buffer | string | null;
  value: Buffer;
  headers: readonly OutboxHeader[];
}

/**
 * What replaces a message the broker refused as larger than its topic takes: a letter on the
 * topic's DLQ (a DLQ's own on itself) with the same key and headers, no bytes, and why; and
 * the refused message's size, for the log.
 */
export function tooLargeLetter(message: OutgoingMessage, consumer: string): { letter: OutgoingMessage; bytes: number } {
  const bytes = message.value.length + (message.key?.length ?? 0);
  const reason = `the broker refused this ${bytes}-byte message for ${message.topic} as larger than the topic takes (max.message.bytes); its bytes are not kept`;
  const headers = deadLetterHeaders(message.headers, { reason, code: 'message_too_large', consumer, topic: message.topic });
  const topic = message.topic.endsWith('.dlq') ? message.topic : dlqTopic(message.topic);
  return { letter: { topic, key: message.key, value: Buffer.alloc(0), headers }, bytes };
}
