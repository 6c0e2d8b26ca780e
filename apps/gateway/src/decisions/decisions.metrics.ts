import { Counter } from 'prom-client';

/** Proposals the gateway published for its agents (replays of one are not counted again). */
export const gatewayProposals = new Counter({ name: 'hitl_gateway_proposals_total', help: 'Proposals the gateway signed and published for its agents' });

/** Outcomes kept for the gateway's decisions, by status; `refused`: one that failed the executor's rule (never kept). */
export const gatewayOutcomes = new Counter({
  name: 'hitl_gateway_outcomes_total',
  help: 'Outcomes of the gateway agents’ decisions: kept by status, or refused',
  labelNames: ['status'],
});
