import { Counter } from 'prom-client';

/** Posts to agents' callbacks, by outcome: sent, retry, failed. */
export const callbackPosts = new Counter({
  name: 'hitl_gateway_callback_posts_total',
  help: 'Posts of outcomes to agents’ callbacks, by outcome',
  labelNames: ['outcome'],
});
