import { Counter } from 'prom-client';

/** Raised by intake (nobody to assign) and by the SLA scanner (nobody to escalate or reassign to). */
export const operationsAlerts = new Counter({
  name: 'hitl_escalation_alerts_total',
  help: 'Operations alerts: nobody qualified to take an approval',
  labelNames: ['kind', 'role'],
});

/** Post-reviews nobody had room for: not queued, ended unreviewed (sampling backing off). */
export const postReviewsNotQueued = new Counter({
  name: 'hitl_post_reviews_not_queued_total',
  help: 'Post-reviews not queued because every reviewer of the role was at capacity after blocking work (sampling backed off)',
  labelNames: ['role'],
});

/** Canaries (known-answer items of the manifest) mixed into a role's queue. */
export const canariesMixed = new Counter({
  name: 'hitl_escalation_canaries_mixed_total',
  help: 'Canaries (known-answer items, never executed) mixed into reviewers’ queues',
  labelNames: ['role'],
});
