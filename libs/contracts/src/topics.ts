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
  /** The audit's stream for analysts: every record it chains (see events/audit-recorded.ts). */
  AuditRecorded: 'audit.recorded',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

export const ALL_TOPICS: readonly Topic[] = Object.values(Topics);

/**
 * The topics the audit records: every topic but its own stream (`audit.recorded` holds
 * what it recorded; recording it again would chain each record forever).
 */
export const AUDITED_TOPICS: readonly Topic[] = ALL_TOPICS.filter((t) => t !== Topics.AuditRecorded);

/** Where a consumer puts what it could not decode or validate. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

export function isTopic(name: string): name is Topic {
  return (ALL_TOPICS as readonly string[]).includes(name);
}
