import { Counter } from 'prom-client';

export const eventsRecorded = new Counter({
  name: 'hitl_audit_events_recorded_total',
  help: 'Events written to the audit record (duplicates are not counted)',
});

export const refusedEventsRecorded = new Counter({
  name: 'hitl_audit_events_refused_total',
  help: 'Events the audit recorded as unverified (their signature was refused), by code; a redelivered event may count again',
  labelNames: ['code'],
});
