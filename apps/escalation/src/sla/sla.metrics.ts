import { Counter } from 'prom-client';

export const timersFired = new Counter({
  name: 'hitl_escalation_timers_fired_total',
  help: 'SLA and expiry timers fired, by outcome',
  labelNames: ['outcome'],
});
