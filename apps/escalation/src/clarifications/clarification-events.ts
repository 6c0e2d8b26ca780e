import { AnyEvent } from '@hitl/contracts';
import { reassigned } from '../approval-store/approval-events';
import { ApprovalRow } from '../approval-store/approval-store.repository';

/**
 * The agent left a question unanswered past the limit and the clocks run again. The contract
 * has no type of its own for that; `reassigned` to the same place is the one that carries a new
 * SLA deadline and a reason, so agents, the audit and the reviewer's chat all learn of it.
 */
export function clarificationLapsed(row: ApprovalRow, slaDeadline: Date, now: Date): AnyEvent {
  const reason = `the agent did not answer the clarification within ${row.clarification_timeout_seconds} s (clarification_timeout_seconds): the SLA and expiry clocks run again`;
  return reassigned(row, row.reviewer_role, row.assignee, row.assignee, slaDeadline, reason, now);
}
