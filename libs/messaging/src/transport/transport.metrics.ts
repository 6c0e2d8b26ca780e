import { Counter } from 'prom-client';

export const messagesConsumed = new Counter({
  name: 'hitl_messages_consumed_total',
  help: 'Messages consumed, by outcome (handled, duplicate, dead_lettered, skipped: a letter of a DLQ its handler could never take)',
  labelNames: ['topic', 'outcome'],
});

export const consumerRetries = new Counter({
  name: 'hitl_consumer_retries_total',
  help: 'Chunks retried after a failure, by its kind (transient: retried until it passes; unclassified: a bounded number of times; isolated: split to find the message at fault)',
  labelNames: ['topic', 'kind'],
});

export const signatureRefusals = new Counter({
  name: 'hitl_signature_refusals_total',
  help: 'Events refused because their signature did not verify (never acted on), by topic and code',
  labelNames: ['topic', 'code', 'consumer'],
});

export const publishedAfterCommit = new Counter({
  name: 'hitl_events_published_after_commit_total',
  help: 'Events a handler re-derives from its records, published by the transport right after their commit (no outbox row)',
  labelNames: ['topic'],
});
