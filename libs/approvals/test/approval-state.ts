import { ApprovalState } from '../src/approval';

/** A pending refund approval at its first tier, for the specs to vary field by field. */
export function approvalState(overrides: Partial<ApprovalState> = {}): ApprovalState {
  return {
    workspace: 'acme',
    route: 'human_review',
    status: 'pending',
    escalationPath: ['support_agent', 'finance_lead'],
    actionPath: ['support_agent', 'finance_lead'],
    tier: 0,
    assignee: 'alice',
    triedAtTier: [],
    urgency: 'normal',
    slaMinutes: { low: 240, normal: 60, high: 15, critical: 5 },
    onTimeout: 'deny',
    approvalTimeoutSeconds: 900,
    approveOnTimeoutAllowed: false,
    onBehalfOf: null,
    requiredApprovals: 1,
    approvedBy: [],
    payloadHash: 'sha256:aaa',
    ...overrides,
  };
}
