import { Counter } from 'prom-client';

export const notificationPosts = new Counter({
  name: 'hitl_notifications_total',
  help: "Notification posts by outcome (sent, retry, failed, skipped) and channel (a role's shared one, or a reviewer's own)",
  labelNames: ['outcome', 'channel', 'role'],
});
