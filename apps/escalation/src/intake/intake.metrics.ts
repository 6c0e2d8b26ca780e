import { Counter } from 'prom-client';

/** Raised by intake (nobody to assign) and by the SLA scanner (nobody to escalate or reassign to). */
export const operationsAlerts = new Counter({
  name: 'hitl_escalation_alerts_total',
  help: 'Operations alerts: nobody qualified to take an approval',
  labelNames: ['kind', 'role'],
});
