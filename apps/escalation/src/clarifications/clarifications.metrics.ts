import { Counter } from 'prom-client';

export const clarificationsLapsed = new Counter({
  name: 'hitl_escalation_clarifications_lapsed_total',
  help: 'Clarifications left unanswered past clarification_timeout_seconds: the clocks ran again',
});
