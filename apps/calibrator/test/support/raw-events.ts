// The events a calibration is made of, written by hand as CloudEvents JSON (as an agent,
// the router, the escalation service or a labeling job in any language would send them).
import { randomUUID } from 'node:crypto';

const WORKSPACE = 'acme-support';
const hash = `sha256:${'c'.repeat(64)}`;

const envelope = (type: string, source: string, subject: string, time: Date, data: object, id: string = randomUUID()) => ({
  specversion: '1.0',
  id,
  source,
  type,
  time: time.toISOString(),
  subject,
  datacontenttype: 'application/json',
  workspaceid: WORKSPACE,
  data,
});

export type RawEvent = ReturnType<typeof envelope>;

export interface Decision {
  decisionId: string;
  agent: string;
  action: string;
  confidence: number;
  /** What the agent proposed; a refund of $20 when not given. */
  parameters?: Record<string, unknown>;
}

const proposalData = (d: Decision) => ({
  decision_id: d.decisionId,
  agent: { id: d.agent, model: 'test-model' },
  action: d.action,
  parameters: d.parameters ?? { order_id: `ORD-${d.decisionId.slice(0, 8)}`, amount_usd: 20 },
  confidence: d.confidence,
  confidence_basis: 'looks like the usual case',
  uncertainty_factors: [],
  recommended_review: false,
  summary: 'Refund the customer.',
});

export const proposed = (d: Decision, time: Date, id?: string) =>
  envelope('hitl.decision.proposed.v1', `agent/${d.agent}`, d.decisionId, time, proposalData(d), id);

export const requested = (d: Decision, approvalId: string, time: Date) =>
  envelope('hitl.approval.requested.v1', 'hitl/router', d.decisionId, time, {
    approval_id: approvalId,
    decision_id: d.decisionId,
    route: 'human_review',
    reasons: [{ rule: 'confidence_below_auto_approve', detail: 'below the threshold' }],
    manifest_version: 'sha256:test',
    reviewer_role: 'support_agent',
    escalation_path: ['support_agent'],
    sla_deadline: new Date(time.getTime() + 3_600_000).toISOString(),
    expires_at: null,
    on_timeout: 'deny',
    required_approvals: 1,
    rollback_window_seconds: null,
    decision: proposalData(d),
    payload_hash: hash,
  });

export const resolved = (
  d: Decision,
  time: Date,
  how: { by: 'policy' } | { by: 'reviewer'; approvalId: string; status: 'approved' | 'denied'; edited: boolean; parameters?: Record<string, unknown> },
) =>
  envelope('hitl.approval.resolved.v1', how.by === 'policy' ? 'hitl/router' : 'hitl/escalation', d.decisionId, time, {
    decision_id: d.decisionId,
    approval_id: how.by === 'policy' ? null : how.approvalId,
    status: how.by === 'policy' ? 'approved' : how.status,
    resolved_by: how.by === 'policy' ? { kind: 'policy', id: 'sha256:test' } : { kind: 'reviewer', id: 'rev-alice' },
    parameters: (how.by === 'reviewer' && how.parameters) || proposalData(d).parameters,
    edited: how.by === 'policy' ? false : how.edited,
    reasons: [],
    notes: null,
    chosen_option: null,
    manifest_version: 'sha256:test',
    confidence: d.confidence,
    action: d.action,
    payload_hash: hash,
  });

export const labeled = (decisionId: string, correct: boolean, time: Date, id?: string) =>
  envelope(
    'hitl.outcome.labeled.v1',
    'labeler/refund-disputes',
    decisionId,
    time,
    { decision_id: decisionId, correct, source: 'chargeback_feed', labeled_by: null, notes: null },
    id,
  );

/** A review after the fact of an auto-approved action (route post_review): it ran; a person reviews it within an hour. */
export const postReviewRequested = (d: Decision, approvalId: string, time: Date) => {
  const event = requested(d, approvalId, time);
  return {
    ...event,
    data: {
      ...event.data,
      route: 'post_review',
      reasons: [{ rule: 'post_review_sample', detail: 'sampled for review after the fact' }],
      expires_at: null,
      rollback_window_seconds: 3600,
    },
  };
};

/** How a post-review ended, as the escalation service says it on approval.updated. */
export const reviewed = (d: Decision, approvalId: string, time: Date, by = 'rev-alice') =>
  envelope('hitl.approval.reviewed.v1', 'hitl/escalation', d.decisionId, time, {
    decision_id: d.decisionId,
    approval_id: approvalId,
    reviewed_by: by,
    notes: null,
  });

export const rolledBack = (d: Decision, approvalId: string, time: Date, by = 'rev-alice') =>
  envelope('hitl.approval.rolled_back.v1', 'hitl/escalation', d.decisionId, time, {
    decision_id: d.decisionId,
    approval_id: approvalId,
    rolled_back_by: by,
    reason: 'refunded the wrong order',
  });

export const unreviewed = (decisionId: string, approvalId: string, time: Date, reason: 'review_window_closed' | 'no_review_capacity') =>
  envelope('hitl.approval.unreviewed.v1', 'hitl/escalation', decisionId, time, {
    decision_id: decisionId,
    approval_id: approvalId,
    reason,
    detail:
      reason === 'review_window_closed'
        ? 'nobody reviewed it within its 3600 s review window'
        : 'support_agent reviewers had no capacity left after blocking work',
    reviewer_role: 'support_agent',
  });

/** The agent's compensation of a rolled back action, as its SDK publishes it on action.executed. */
export const compensated = (d: Decision, approvalId: string, time: Date, succeeded = true) =>
  envelope('hitl.action.executed.v1', `agent/${d.agent}`, d.decisionId, time, {
    decision_id: d.decisionId,
    action: d.action,
    parameters: proposalData(d).parameters,
    payload_hash: hash,
    succeeded,
    output: succeeded ? { undone: true } : null,
    error: succeeded ? null : 'the payment provider refused the reversal',
    duration_ms: 120,
    compensation: { approval_id: approvalId, rolled_back_by: 'rev-alice', reason: 'refunded the wrong order' },
  });

/** What a probation asks of an action, as the manifest's `probation` says it. */
export interface Probation {
  probationId: string;
  action: string;
  /** Reviewed decisions it needs; 50 when not given. */
  decisions?: number;
  /** Approved unchanged at least at this rate; 0.95 when not given. */
  rate?: number;
}

/** The router starts a probation (control.changed): the action is new to the manifest, or its entry widened its autonomy. */
export const probationStarted = (p: Probation, reason: string, time: Date) =>
  envelope('hitl.control.probation_started.v1', 'hitl/router', p.probationId, time, {
    probation_id: p.probationId,
    action: p.action,
    reason,
    manifest_version: 'sha256:test',
    decisions: p.decisions ?? 50,
    approved_unchanged_rate: p.rate ?? 0.95,
  });

/** The router graduates a probation: enough reviewed decisions were approved unchanged. */
export const probationGraduated = (p: Probation, evidence: { reviewed: number; approvedUnchanged: number }, time: Date) =>
  envelope('hitl.control.probation_graduated.v1', 'hitl/router', p.probationId, time, {
    probation_id: p.probationId,
    action: p.action,
    reviewed: evidence.reviewed,
    approved_unchanged: evidence.approvedUnchanged,
    decisions: p.decisions ?? 50,
    approved_unchanged_rate: p.rate ?? 0.95,
  });

/** An admin ends a probation early on the owner's word, through the escalation service. */
export const probationEnded = (p: Probation, reason: string, time: Date, by = 'rev-grace') =>
  envelope('hitl.control.probation_ended.v1', 'hitl/escalation', p.probationId, time, {
    probation_id: p.probationId,
    action: p.action,
    reason,
    ended_by: by,
  });
