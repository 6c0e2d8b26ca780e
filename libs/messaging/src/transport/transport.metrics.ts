import { Counter, Gauge, Histogram } from 'prom-client';

export const messagesConsumed = new Counter({
  name: 'hitl_messages_consumed_total',
  help: 'Messages consumed, by outcome (handled, duplicate, dead_lettered, skipped: a letter of a DLQ its handler could never take, ignored: an event its handler declares of no interest)',
  labelNames: ['topic', 'outcome'],
});

export const consumerRetries = new Counter({
  name: 'hitl_consumer_retries_total',
  help: 'Chunks retried after a failure, by its kind (transient: retried until it passes; unclassified: a bounded number of times; isolated: split to find the message at fault)',
  labelNames: ['topic', 'kind'],
});

export const consumerRejoins = new Counter({
  name: 'hitl_consumer_rejoins_total',
  help: 'Consumers restarted to rejoin their group: their offset commits kept being refused as from no member, and the Kafka client had given up rejoining',
  labelNames: ['consumer'],
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

export const publishedAfterCommitSetAside = new Counter({
  name: 'hitl_published_after_commit_set_aside_total',
  help: 'Events published after their commit (no outbox row) that the broker refused as larger than their topic takes, replaced by a letter on its DLQ',
  labelNames: ['topic'],
});

export const chunkSeconds = new Histogram({
  name: 'hitl_consumer_chunk_seconds',
  help: 'Seconds to handle a chunk of messages: decode, verify, handle, commit (what is published after the commit goes out while the next chunk is handled)',
  labelNames: ['topic', 'consumer'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const consumerLag = new Gauge({
  name: 'hitl_consumer_lag',
  help: "Messages behind the partition's high watermark after the consumer's last chunk, by consumer group, topic and partition",
  labelNames: ['consumer', 'topic', 'partition'],
});
