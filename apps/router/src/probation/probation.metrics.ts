import { Counter } from 'prom-client';

export const probationsCounted = new Counter({
  name: 'hitl_probation_reviews_total',
  help: "Reviewers' resolutions the router counted towards a probation (each decision once)",
});
