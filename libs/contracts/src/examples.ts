import { CloudEvent, EventData, EventType } from './catalogue';
import { ACTION_EXECUTED } from './events/action-executed';
import { APPROVAL_REQUESTED } from './events/approval-requested';
import { APPROVAL_RESOLVED } from './events/approval-resolved';
import {
  APPROVAL_ASSIGNED,
  APPROVAL_CANARY_SCORED,
  APPROVAL_CLARIFICATION_PROVIDED,
  APPROVAL_CLARIFICATION_REQUESTED,
  APPROVAL_ESCALATED,
  APPROVAL_OPENED,
  APPROVAL_REASSIGNED,
  APPROVAL_REVIEWED,
  APPROVAL_ROLLED_BACK,
  APPROVAL_UNREVIEWED,
} from './events/approval-updated';
import { DECISION_PROPOSED, DecisionProposedData } from './events/decision-proposed';
import { CONTROL_PAUSED, CONTROL_PROBATION_ENDED, CONTROL_PROBATION_GRADUATED, CONTROL_PROBATION_STARTED, CONTROL_RESUMED } from './events/control-changed';
import { HANDOFF_ESCALATED, HANDOFF_OPENED, HANDOFF_REQUESTED, HANDOFF_RETURNED, HANDOFF_TAKEN } from './events/handoff';
import { DIRECTORY_REVIEWER_CHANGED, ReviewerSnapshot } from './events/directory-changed';
import { OUTCOME_LABELED } from './events/outcome-labeled';
import { AUDIT_RECORDED, AuditRecordedData, CHAIN_GENESIS, auditRecordHash, auditRecordId } from './events/audit-recorded';
import { newEvent } from './new-event';
import { payloadHash } from './payload-hash';

// One realistic, valid event per type (the refund example of the seed), used by the
// contract's tests, the AsyncAPI document and other packages' tests.
const decisionId = '6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e';
const approvalId = '0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d';
const clarificationId = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const parameters = { order_id: 'ORD-10492', amount_usd: 129.5, customer_tier: 'standard' };
const hash = payloadHash('process_refund', parameters);
const handoff = { handoff_id: '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e', agent_id: 'refund-bot', session_id: 'chat-7731' };

export const exampleDecision: DecisionProposedData = {
  decision_id: decisionId,
  agent: { id: 'refund-bot', model: 'claude-sonnet', prompt_version: 'refunds-v12' },
  on_behalf_of: 'customer:c-88123',
  session_id: 'sess-5521',
  workflow: { id: 'wf-refund-5521', step_index: 2, completed_steps: [{ action: 'query_crm', outcome: 'order found, delivered damaged' }] },
  action: 'process_refund',
  parameters,
  confidence: 0.82,
  confidence_basis: 'photo of damage matches the order; customer has no prior refunds',
  uncertainty_factors: ['amount above the usual for this category'],
  recommended_review: false,
  summary: 'Refund $129.50 to the card used for order ORD-10492.',
  context: {
    situation: 'Customer reports the blender arrived cracked.',
    attempted: ['offered a replacement: declined'],
    options: [
      { key: 'refund', label: 'Full refund' },
      { key: 'replace', label: 'Send a replacement' },
    ],
    recommendation: 'refund',
  },
  urgency: 'normal',
};

const emil: ReviewerSnapshot = {
  name: 'Emil Novak',
  roles: ['support_agent'],
  workspaces: ['acme-support'],
  available: true,
  capacity: null,
  admin: false,
  auditor: false,
  aliases: ['emil@example.com'],
  own_channel: 'webhook:sha256:3b1f0c9a7d2e4f51',
  can_sign_in: true,
  granted_by: null,
};

const placement = { tier: 0, reviewer_role: 'support_agent', reviewer_id: 'rev-alice', sla_deadline: '2026-11-22T10:00:00Z' };

/**
 * The first record of acme-support's chain, as the audit publishes it: the refund proposal,
 * its card number redacted (as the audit keeps it), and a hash that verifies.
 */
function auditRecordedExample(workspace = 'acme-support'): AuditRecordedData {
  const record = {
    event_id: '3c9f6a2e-1d4b-4e8a-9b7c-5d6e7f8a9b0c',
    workspace,
    topic: 'decision.proposed',
    type: DECISION_PROPOSED,
    decision_id: decisionId,
    actor_kind: 'agent',
    actor_id: 'refund-bot',
    action: 'process_refund',
    occurred_at: '2026-11-22T09:00:00.000Z',
    manifest_version: null,
    event: {
      specversion: '1.0',
      id: '3c9f6a2e-1d4b-4e8a-9b7c-5d6e7f8a9b0c',
      source: 'agent/refund-bot',
      type: DECISION_PROPOSED,
      time: '2026-11-22T09:00:00.000Z',
      subject: decisionId,
      datacontenttype: 'application/json',
      workspaceid: workspace,
      data: { decision_id: decisionId, agent: { id: 'refund-bot' }, action: 'process_refund', parameters: { ...parameters, card_number: '[REDACTED]' } },
    },
    verified: true,
    signer: 'agent:refund-bot',
    refusal: null,
  };
  return {
    record_id: auditRecordId(workspace, 1),
    workspace,
    position: 1,
    prev_hash: CHAIN_GENESIS,
    hash: auditRecordHash(CHAIN_GENESIS, 1, record),
    record,
    event_id: record.event_id,
    event_type: record.type,
    decision_id: decisionId,
    occurred_at: record.occurred_at,
    recorded_at: '2026-11-22T09:00:00.120Z',
    verified: true,
    signer: 'agent:refund-bot',
    refusal: null,
  };
}

const exampleData: { [T in EventType]: EventData<T> } = {
  [DECISION_PROPOSED]: exampleDecision,
  [APPROVAL_REQUESTED]: {
    approval_id: approvalId,
    decision_id: decisionId,
    route: 'human_review',
    reasons: [{ rule: 'confidence_below_auto_approve', detail: 'confidence 0.82 is below the auto-approve threshold 0.97' }],
    manifest_version: 'sha256:3f1a9c',
    reviewer_role: 'support_agent',
    escalation_path: ['support_agent', 'finance_lead'],
    sla_deadline: '2026-11-22T10:00:00Z',
    expires_at: '2026-11-22T10:15:00Z',
    on_timeout: 'deny',
    required_approvals: 1,
    rollback_window_seconds: null,
    decision: exampleDecision,
    payload_hash: hash,
  },
  [APPROVAL_ASSIGNED]: { decision_id: decisionId, approval_id: approvalId, ...placement },
  [APPROVAL_REASSIGNED]: {
    decision_id: decisionId,
    approval_id: approvalId,
    ...placement,
    reviewer_id: 'rev-bob',
    previous_reviewer_id: 'rev-alice',
    reason: 'SLA of 60 minutes ran out',
  },
  [APPROVAL_ESCALATED]: {
    decision_id: decisionId,
    approval_id: approvalId,
    ...placement,
    tier: 1,
    reviewer_role: 'finance_lead',
    reviewer_id: null,
    from_role: 'support_agent',
    reason: 'no support_agent decided within the SLA',
  },
  [APPROVAL_CLARIFICATION_REQUESTED]: {
    decision_id: decisionId,
    approval_id: approvalId,
    clarification_id: clarificationId,
    requested_by: 'rev-alice',
    question: 'Was the item returned?',
  },
  [APPROVAL_CLARIFICATION_PROVIDED]: {
    decision_id: decisionId,
    approval_id: approvalId,
    clarification_id: clarificationId,
    provided_by: 'refund-bot',
    answer: 'No, the customer was told to keep it.',
  },
  [APPROVAL_ROLLED_BACK]: { decision_id: decisionId, approval_id: approvalId, rolled_back_by: 'rev-alice', reason: 'wrong order refunded' },
  [APPROVAL_REVIEWED]: { decision_id: decisionId, approval_id: approvalId, reviewed_by: 'rev-alice', notes: 'looks right' },
  [APPROVAL_UNREVIEWED]: {
    decision_id: decisionId,
    approval_id: approvalId,
    reason: 'review_window_closed',
    detail: 'nobody reviewed it within its 3600 s review window',
    reviewer_role: 'support_agent',
  },
  [APPROVAL_OPENED]: { decision_id: decisionId, approval_id: approvalId, opened_by: 'rev-alice' },
  [APPROVAL_CANARY_SCORED]: {
    decision_id: decisionId,
    approval_id: approvalId,
    reviewer_id: 'rev-alice',
    reviewer_role: 'support_agent',
    action: 'process_refund',
    expected: 'deny',
    answered: 'approve',
    correct: false,
    why: 'the refund is larger than the order was charged',
  },
  [APPROVAL_RESOLVED]: {
    decision_id: decisionId,
    approval_id: approvalId,
    status: 'approved',
    resolved_by: { kind: 'reviewer', id: 'rev-alice' },
    parameters,
    edited: false,
    reasons: [{ rule: 'reviewer_approved', detail: 'approved by rev-alice' }],
    notes: null,
    chosen_option: 'refund',
    manifest_version: 'sha256:3f1a9c',
    confidence: 0.82,
    action: 'process_refund',
    payload_hash: hash,
  },
  [ACTION_EXECUTED]: {
    decision_id: decisionId,
    action: 'process_refund',
    parameters,
    payload_hash: hash,
    succeeded: true,
    output: { refund_id: 're_3N1x' },
    error: null,
    duration_ms: 412,
  },
  [OUTCOME_LABELED]: { decision_id: decisionId, correct: true, source: 'reviewer_audit', labeled_by: 'rev-carol', notes: null },
  [DIRECTORY_REVIEWER_CHANGED]: {
    change_id: '5b2e8c1d-7f3a-4d6e-9a0b-c1d2e3f4a5b6',
    reviewer_id: 'rev-emil',
    changed_by: 'rev-grace',
    change: 'updated',
    before: emil,
    after: { ...emil, roles: ['support_agent', 'finance_lead'], granted_by: 'rev-grace' },
  },
  [CONTROL_PAUSED]: {
    pause_id: '8d4f2a6b-3c1e-4f7a-9b2d-6e5c4b3a2f10',
    agent_id: 'refund-bot',
    action: null,
    effect: 'review',
    reason: 'refunds doubled after the 09:00 deploy; every refund to a person until we know why',
    paused_by: 'rev-grace',
  },
  [CONTROL_RESUMED]: {
    pause_id: '8d4f2a6b-3c1e-4f7a-9b2d-6e5c4b3a2f10',
    reason: 'rolled back the deploy; refunds are back to normal',
    resumed_by: 'rev-grace',
  },
  [CONTROL_PROBATION_STARTED]: {
    probation_id: '2e7a9c4d-5b3f-4a1e-8d6c-0f9b8a7e6d5c',
    action: 'issue_store_credit',
    reason: 'new to the manifest of acme-support',
    manifest_version: 'sha256:9c1b0e',
    decisions: 50,
    approved_unchanged_rate: 0.95,
  },
  [CONTROL_PROBATION_GRADUATED]: {
    probation_id: '2e7a9c4d-5b3f-4a1e-8d6c-0f9b8a7e6d5c',
    action: 'issue_store_credit',
    reviewed: 52,
    approved_unchanged: 50,
    decisions: 50,
    approved_unchanged_rate: 0.95,
  },
  [CONTROL_PROBATION_ENDED]: {
    probation_id: '2e7a9c4d-5b3f-4a1e-8d6c-0f9b8a7e6d5c',
    action: 'issue_store_credit',
    reason: 'billing-team signed off on the evals of the store-credit tool',
    ended_by: 'rev-grace',
  },
  [HANDOFF_REQUESTED]: {
    ...handoff,
    reason: 'the customer asked for a person: the parcel arrived damaged and the refund offered is not enough',
    transcript: [
      { from: 'user', text: 'My order ORD-10492 arrived broken.', at: '2026-11-22T08:58:10Z' },
      { from: 'agent', text: 'Sorry to hear that. I can refund $129.50 to your card.', at: '2026-11-22T08:58:14Z' },
      { from: 'user', text: 'That is not enough, I paid for express shipping too. Get me a human.', at: '2026-11-22T08:59:02Z' },
    ],
    on_behalf_of: 'cust-8812',
    replica_id: 'refund-bot-2',
    checkpoint: { step: 'offer_refund', order_id: 'ORD-10492' },
  },
  [HANDOFF_OPENED]: { ...handoff, tier: 0, reviewer_role: 'support_agent', sla_deadline: '2026-11-22T09:15:00Z' },
  [HANDOFF_ESCALATED]: {
    ...handoff,
    tier: 1,
    reviewer_role: 'support_lead',
    sla_deadline: '2026-11-22T09:20:00Z',
    from_role: 'support_agent',
    reason: 'nobody took it over within the SLA (15 min)',
  },
  [HANDOFF_TAKEN]: { ...handoff, taken_by: 'rev-alice' },
  [HANDOFF_RETURNED]: {
    ...handoff,
    replica_id: 'refund-bot-2',
    resolution: 'handed_back',
    notes: 'Refunded the express shipping ($14.90) by hand; offer the $129.50 refund again and close the ticket.',
    reply: 'I have refunded your express shipping. The assistant will finish the rest with you.',
    returned_by: 'rev-alice',
    checkpoint: { step: 'offer_refund', order_id: 'ORD-10492' },
  },
  [AUDIT_RECORDED]: auditRecordedExample(),
};

/** A valid example event of `type` (a fresh copy each call). */
export function exampleEvent<T extends EventType>(type: T, overrides: { id?: string; workspaceid?: string } = {}): CloudEvent<T> {
  // The audit's stream: the record of the workspace asked for, its record id as the CloudEvents id.
  const data = (
    type === AUDIT_RECORDED && overrides.workspaceid ? auditRecordedExample(overrides.workspaceid) : structuredClone(exampleData[type])
  ) as EventData<T>;
  const ownId = type === AUDIT_RECORDED ? (data as AuditRecordedData).record_id : undefined;
  return newEvent(type, data, {
    source: type === DECISION_PROPOSED || type === HANDOFF_REQUESTED ? 'agent/refund-bot' : type === AUDIT_RECORDED ? 'hitl/audit' : 'hitl/example',
    workspaceid: overrides.workspaceid ?? 'acme-support',
    id: overrides.id ?? ownId ?? '3c9f6a2e-1d4b-4e8a-9b7c-5d6e7f8a9b0c',
    time: new Date('2026-11-22T09:00:00Z'),
  });
}
