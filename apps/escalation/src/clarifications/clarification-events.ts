import { ESCALATION_SOURCE } from '@hitl/approvals';
import { APPROVAL_REASSIGNED, AnyEvent, newEvent } from '@hitl/contracts';
import { ApprovalRow } from '../approvals/approvals.repository';

/**
 * The agent left a question unanswered past the limit and the clocks run again. The contract
 * has no type of its own for that; `reassigned` to the same place is the one that carries a new
 * SLA deadline and a reason, so agents, the audit and the reviewer's chat all learn of it.
 */
export function clarificationLapsed(row: ApprovalRow, slaDeadline: Date, now: Date): AnyEvent {
  return newEvent(
    APPROVAL_REASSIGNED,
    {
      decision_id: row.decision_id,
      approval_id: row.approval_id,
      tier: row.tier,
      reviewer_role: row.reviewer_role,
      reviewer_id: row.assignee,
      sla_deadline: slaDeadline.toISOString(),
      previous_reviewer_id: row.assignee,
      reason: `the agent did not answer the clarification within ${row.clarification_timeout_seconds} s (clarification_timeout_seconds): the SLA and expiry clocks run again`,
    },
    { source: ESCALATION_SOURCE, workspaceid: row.workspace, time: now },
  );
}
