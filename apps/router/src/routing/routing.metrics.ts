import { Counter } from 'prom-client';

export const decisionsRouted = new Counter({ name: 'hitl_router_decisions_total', help: 'Decisions routed, by verdict', labelNames: ['verdict'] });
export const alertsRun = new Counter({ name: 'hitl_router_alerts_total', help: 'log_and_alert actions that ran', labelNames: ['action'] });
export const repairsRouted = new Counter({
  name: 'hitl_router_repairs_total',
  help: 'The repair loop: parameters sent back to the agent, repairs that fixed them, refused repair_of, and failures a person reviews',
  labelNames: ['outcome'],
});
