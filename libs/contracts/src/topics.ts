// Topic names of the wire contract, in one place.
export const Topics = {
  DecisionProposed: 'decision.proposed',
  ApprovalRequested: 'approval.requested',
  ApprovalUpdated: 'approval.updated',
  ApprovalResolved: 'approval.resolved',
  ActionExecuted: 'action.executed',
  OutcomeLabeled: 'outcome.labeled',
  DirectoryChanged: 'directory.changed',
  ControlChanged: 'control.changed',
  HandoffRequested: 'handoff.requested',
  HandoffUpdated: 'handoff.updated',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

export const ALL_TOPICS: readonly Topic[] = Object.values(Topics);

/** Where a consumer puts what it could not decode or validate. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

export function isTopic(name: string): name is Topic {
  return (ALL_TOPICS as readonly string[]).includes(name);
}
