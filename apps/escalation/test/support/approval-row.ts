// One approvals row as PostgreSQL returns it, for the pure specs of what reviewers are shown:
// a refund with a card number (redacted by the manifest) and an agent context.
import { APPROVAL_REQUESTED, exampleEvent } from '@hitl/contracts';
import { ApprovalRow } from '../../src/approval-store/approval-store.repository';

export const CARD = '4111111111111111';

export function approvalRow(overrides: Partial<ApprovalRow> = {}): ApprovalRow {
  const request = exampleEvent(APPROVAL_REQUESTED).data;
  request.decision.parameters = { order_id: 'ORD-10492', amount_usd: 129.5, card_number: CARD };
  request.decision.context = { ...request.decision.context, policy_conflict: true, card_on_file: CARD };
  return {
    approval_id: request.approval_id,
    decision_id: request.decision_id,
    workspace: 'acme-support',
    action: 'process_refund',
    agent_id: 'refund-bot',
    on_behalf_of: 'customer:c-88123',
    route: 'human_review',
    status: 'pending',
    escalation_path: ['support_agent', 'finance_lead'],
    action_path: ['support_agent', 'finance_lead'],
    tier: 0,
    reviewer_role: 'support_agent',
    assignee: 'alice',
    tried_at_tier: [],
    urgency: 'normal',
    urgency_rank: 2,
    sla_minutes: { low: 240, normal: 60, high: 15, critical: 5 },
    sla_deadline: new Date('2026-11-22T09:30:00Z'),
    expires_at: new Date('2026-11-22T09:15:00Z'),
    paused_sla_ms: null,
    paused_expiry_ms: null,
    clarification_deadline: null,
    clarification_timeout_seconds: 3600,
    on_timeout: 'deny',
    approval_timeout_seconds: 900,
    approve_on_timeout_allowed: false,
    required_approvals: 2,
    rollback_window_seconds: null,
    payload_hash: request.payload_hash,
    parameters: request.decision.parameters,
    edited: false,
    request,
    manifest_version: request.manifest_version,
    confidence: request.decision.confidence,
    created_at: new Date('2026-11-22T08:45:00Z'),
    resolved_at: null,
    approved_by: ['bob'],
    canary: null,
    ...overrides,
  };
}
