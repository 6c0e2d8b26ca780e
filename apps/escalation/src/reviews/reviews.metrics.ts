import { Counter } from 'prom-client';

/** Reviewer decisions by act (approve, deny, edit) and outcome (the status, or `refused_<http status>`). */
export const decisions = new Counter({
  name: 'hitl_escalation_decisions_total',
  help: 'Reviewer decisions, by act and outcome',
  labelNames: ['act', 'outcome'],
});
