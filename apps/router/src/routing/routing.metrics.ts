import { Counter, Histogram } from 'prom-client';

export const decisionsRouted = new Counter({ name: 'hitl_router_decisions_total', help: 'Decisions routed, by verdict', labelNames: ['verdict'] });
export const alertsRun = new Counter({ name: 'hitl_router_alerts_total', help: 'log_and_alert actions that ran', labelNames: ['action'] });
export const repairsRouted = new Counter({
  name: 'hitl_router_repairs_total',
  help: 'The repair loop: parameters sent back to the agent, repairs that fixed them, refused repair_of, and failures a person reviews',
  labelNames: ['outcome'],
});
export const routingSeconds = new Histogram({
  name: 'hitl_router_routing_seconds',
  help: "Seconds from a proposal's CloudEvents time (the agent's clock) to its routing, by verdict: what an agent waits for policy, Kafka included",
  labelNames: ['verdict'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});
