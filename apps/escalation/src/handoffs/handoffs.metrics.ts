import { Counter } from 'prom-client';

/** Handoffs by step: requested (opened), escalated (nobody took it within the SLA), taken, handed_back, closed. */
export const handoffSteps = new Counter({
  name: 'hitl_handoff_steps_total',
  help: 'Steps of handoffs ("get a human"): requested, escalated, taken, handed_back, closed',
  labelNames: ['step'],
});
