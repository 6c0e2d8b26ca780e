import { Counter, Histogram } from 'prom-client';

/** Reviewer decisions by act (approve, deny, edit) and outcome (the status, or `refused_<http status>`). */
export const decisions = new Counter({
  name: 'hitl_escalation_decisions_total',
  help: 'Reviewer decisions, by act and outcome',
  labelNames: ['act', 'outcome'],
});

/** Seconds-scale buckets for people: from a glance to a working day. */
export const HUMAN_SECONDS = [5, 15, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 86_400];

/** How long each reviewer act came after the approval was requested. */
export const reviewSeconds = new Histogram({
  name: 'hitl_escalation_review_seconds',
  help: 'Seconds from an approval being requested to a reviewer acting on it (approve, deny, edit), by act',
  labelNames: ['act'],
  buckets: HUMAN_SECONDS,
});

/** How long approvals took to resolve, whoever resolved them (a reviewer, or a timer's on_timeout). */
export const resolutionSeconds = new Histogram({
  name: 'hitl_escalation_resolution_seconds',
  help: 'Seconds from an approval being requested to its resolution, by status and by what resolved it (reviewer, timeout)',
  labelNames: ['status', 'resolved_by'],
  buckets: HUMAN_SECONDS,
});
