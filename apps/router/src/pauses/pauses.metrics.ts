import { Counter } from 'prom-client';

export const pausesRead = new Counter({
  name: 'hitl_router_pauses_total',
  help: 'Pauses and resumes the router kept from control.changed (each once)',
  labelNames: ['kind'],
});

export const pausedRoutings = new Counter({
  name: 'hitl_paused_decisions_total',
  help: 'Proposals a pause covered, by what it made of them (human_review, escalate, block)',
  labelNames: ['verdict'],
});
