import { Counter, Gauge } from 'prom-client';

export const outboxPublished = new Counter({ name: 'hitl_outbox_published_total', help: 'Messages the outbox relay published', labelNames: ['topic'] });
export const outboxPending = new Gauge({ name: 'hitl_outbox_pending', help: 'Outbox rows seen waiting in the last relay round', labelNames: ['schema'] });
export const relayFailures = new Counter({
  name: 'hitl_outbox_relay_failures_total',
  help: 'Relay rounds that failed and will be retried',
  labelNames: ['schema'],
});
