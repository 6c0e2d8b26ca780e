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
