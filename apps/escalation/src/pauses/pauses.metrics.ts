import { Counter } from 'prom-client';

// No agent or action label: their names come from agents, and a label per name would grow without bound.

/** Pauses made, by effect: a sudden rise is the fleet misbehaving, whatever the dashboards say. */
export const pausesMade = new Counter({
  name: 'hitl_pauses_total',
  help: 'Agents, actions or workspaces paused by an admin (the kill switch), by effect',
  labelNames: ['effect'],
});

export const pausesResumed = new Counter({
  name: 'hitl_resumes_total',
  help: 'Pauses resumed by an admin',
});
