// What the console says back after a decision was sent. Pure.
import { DecisionResult } from '@hitl/reviewer-api';
import { AgentOption, optionName } from './options';

export type Act = 'approve' | 'deny' | 'edit' | 'rollback';

/** The confirmation for the service's answer to `act` on the approval summed up as `summary`, with the agent's option chosen, if any. */
export function verdictText(act: Act, status: DecisionResult['status'] | 'rolled_back', summary: string, option: AgentOption | null = null): string {
  const verdict: Record<typeof status, string> = {
    awaiting_approvals: 'Approved; waiting for another reviewer',
    escalated: 'Your edit needs a higher tier: sent up to it',
    approved: act === 'edit' ? 'Approved with your edit' : 'Approved',
    denied: 'Denied',
    reviewed: 'Confirmed after the fact: it stands',
    rolled_back: 'Rolled back',
  };
  return `${verdict[status]}: ${summary}${option ? ` — chosen: ${optionName(option)}` : ''}`;
}
