import { Counter } from 'prom-client';

// No action label: action names come from manifests, and a label per name would grow without bound.

/** Probations an admin ended early: each is a new or widened action let loose before the evidence said so. */
export const probationsEnded = new Counter({
  name: 'hitl_probations_ended_total',
  help: 'Probations ended early by an admin, on the owner’s word',
});

/** Probation events folded into the table (control.changed), by kind: started, graduated, ended. */
export const probationEventsRead = new Counter({
  name: 'hitl_probation_events_read_total',
  help: 'Probation events read from control.changed that changed the escalation’s copy, by kind',
  labelNames: ['kind'],
});
