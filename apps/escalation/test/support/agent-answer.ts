import { APPROVAL_CLARIFICATION_PROVIDED, newEvent } from '@hitl/contracts';

/** The agent's answer to a reviewer's question, unsigned (the caller signs it as whom the case needs). */
export function agentAnswer(ids: { decisionId: string; approvalId: string; clarificationId: string }, answer: string, eventId?: string) {
  return newEvent(
    APPROVAL_CLARIFICATION_PROVIDED,
    { decision_id: ids.decisionId, approval_id: ids.approvalId, clarification_id: ids.clarificationId, provided_by: 'refund-bot', answer },
    { source: 'agent/refund-bot', workspaceid: 'acme-support', id: eventId },
  );
}
