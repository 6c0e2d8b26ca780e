import { Counter, Gauge, Histogram } from 'prom-client';

export const outboxPublished = new Counter({ name: 'hitl_outbox_published_total', help: 'Messages the outbox relay published', labelNames: ['topic'] });
export const outboxPending = new Gauge({ name: 'hitl_outbox_pending', help: 'Outbox rows seen waiting in the last relay round', labelNames: ['schema'] });
export const relayFailures = new Counter({
  name: 'hitl_outbox_relay_failures_total',
  help: 'Relay rounds that failed and will be retried',
  labelNames: ['schema'],
});
export const relayDelaySeconds = new Histogram({
  name: 'hitl_outbox_relay_delay_seconds',
  help: 'Seconds from an outbox row being written (its transaction) to the relay publishing it, by schema',
  labelNames: ['schema'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
});
export const outboxSetAside = new Counter({
  name: 'hitl_outbox_set_aside_total',
  help: 'Outbox rows the broker refused as larger than their topic takes, replaced by a letter on its DLQ',
  labelNames: ['topic'],
});
