import { Counter } from 'prom-client';

// No action label: action names come from agents, and a label per name would grow without bound.

/** Blocked decisions of unknown actions, each counted once (the items count them per workspace and action). */
export const unknownActionSightings = new Counter({
  name: 'hitl_unknown_action_sightings_total',
  help: 'Decisions the router blocked because the manifest does not know their action, each counted once',
});

/** What classifiers did with items. */
export const classificationsClosed = new Counter({
  name: 'hitl_classifications_total',
  help: 'Unknown actions classified (a manifest change suggested) or dismissed',
  labelNames: ['outcome'],
});
