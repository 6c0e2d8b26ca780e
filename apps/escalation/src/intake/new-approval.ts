// An approval as intake records it, from the router's request and the workspace's manifest. Pure.
import { addSeconds } from '@hitl/approvals';
import { ApprovalRequestedData, DEFAULT_URGENCY } from '@hitl/contracts';
import { BUILT_IN_DEFAULTS, ResolvedAction, raiseUrgency } from '@hitl/policy';
import { NewApproval } from '../approval-store/approval-store.repository';

/** What the request does not carry (later tiers' SLAs, the action's whole path) comes from the manifest's `action`. */
export function newApprovalOf(req: ApprovalRequestedData, workspace: string, action: ResolvedAction | undefined, now: Date): NewApproval {
  const decidedUrgency = req.decision.urgency ?? DEFAULT_URGENCY;
  // A post-review's only clock is its review window: when it closes, it ends unreviewed.
  const reviewWindowEnds =
    req.route === 'post_review'
      ? addSeconds(now, action?.postReviewWindowSeconds ?? req.rollback_window_seconds ?? BUILT_IN_DEFAULTS.post_review_window_seconds)
      : null;
  return {
    approval_id: req.approval_id,
    decision_id: req.decision_id,
    workspace,
    action: req.decision.action,
    agent_id: req.decision.agent.id,
    on_behalf_of: req.decision.on_behalf_of ?? null,
    route: req.route,
    escalation_path: req.escalation_path,
    action_path: action?.escalationPath ?? req.escalation_path,
    reviewer_role: req.reviewer_role,
    urgency: req.route === 'escalate' ? raiseUrgency(decidedUrgency) : decidedUrgency,
    sla_minutes: action?.slaMinutes ?? BUILT_IN_DEFAULTS.sla_minutes,
    sla_deadline: reviewWindowEnds ?? new Date(req.sla_deadline),
    expires_at: reviewWindowEnds ?? (req.expires_at ? new Date(req.expires_at) : null),
    on_timeout: req.on_timeout,
    approval_timeout_seconds: action?.approvalTimeoutSeconds ?? BUILT_IN_DEFAULTS.approval_timeout_seconds,
    clarification_timeout_seconds: action?.clarificationTimeoutSeconds ?? BUILT_IN_DEFAULTS.clarification_timeout_seconds,
    approve_on_timeout_allowed: action ? action.severity === 'low' && action.reversible : false,
    required_approvals: req.required_approvals,
    rollback_window_seconds: req.rollback_window_seconds,
    payload_hash: req.payload_hash,
    parameters: req.decision.parameters,
    request: req,
    manifest_version: req.manifest_version,
    confidence: req.decision.confidence,
    canary: null,
  };
}
