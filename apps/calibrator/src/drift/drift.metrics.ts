import { Counter } from 'prom-client';

export const driftAlerts = new Counter({
  name: 'hitl_drift_alerts_total',
  help: 'Drift episodes begun: an action whose latest outcomes fell below its bounds (its owner alerted once per episode)',
  labelNames: ['action'],
});

export const ownerAlertPosts = new Counter({
  name: 'hitl_owner_alert_posts_total',
  help: 'Posts of drift alerts to owners, by outcome (sent, retry, failed, no_route)',
  labelNames: ['outcome'],
});
