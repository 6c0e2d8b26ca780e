import { APPROVAL_CLARIFICATION_REQUESTED, AnyEvent, newEvent } from '@hitl/contracts';
import { ESCALATION_SOURCE } from '../approvals/approval-events';
import { ApprovalRow } from '../approvals/approvals.repository';
import { ClarificationRow } from './clarifications.repository';

/** A reviewer's question to the agent, on approval.updated. */
export function clarificationRequested(row: ApprovalRow, c: Pick<ClarificationRow, 'clarification_id' | 'question' | 'requested_by' | 'requested_at'>): AnyEvent {
  return newEvent(
    APPROVAL_CLARIFICATION_REQUESTED,
    { decision_id: row.decision_id, approval_id: row.approval_id, clarification_id: c.clarification_id, requested_by: c.requested_by, question: c.question },
    { source: ESCALATION_SOURCE, workspaceid: row.workspace, time: c.requested_at },
  );
}
