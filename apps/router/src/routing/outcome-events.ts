import {
  APPROVAL_REQUESTED,
  APPROVAL_RESOLVED,
  AnyEvent,
  CloudEvent,
  ContractViolationCode,
  DECISION_PROPOSED,
  DecisionProposedData,
  Reason,
  SignatureRefusalCode,
  isStorableText,
  newEvent,
  payloadHash,
  unstorableTextPath,
} from '@hitl/contracts';
import { ApprovalPlan, ParameterError, RepairAttempt, Routing } from '@hitl/policy';

export const ROUTER_SOURCE = 'hitl/router';

/** Ids and time are inputs, so the events of one routing are a pure function of it. */
export interface OutcomeIds {
  approvalId: string;
  postReviewApprovalId: string;
  eventIds: () => string;
}

export interface RoutedOutcome {
  events: AnyEvent[];
  approvalId: string | null;
  postReviewApprovalId: string | null;
}

/** What of a routing its events carry. */
export type OutcomeRouting = Pick<Routing, 'verdict' | 'reasons' | 'manifestVersion' | 'approval' | 'postReview' | 'parameterErrors' | 'repairAttempts'>;

/**
 * What one routed decision causes: `approval.resolved` when policy decided (approved or
 * blocked), `approval.requested` when a person must decide first, and a `post_review`
 * request when an auto-approved action is reviewed after the fact.
 */
export function outcomeEvents(
  proposal: Pick<CloudEvent<typeof DECISION_PROPOSED>, 'workspaceid' | 'data'>,
  routing: OutcomeRouting,
  ids: OutcomeIds,
  now: Date,
): RoutedOutcome {
  const decision = proposal.data;
  const meta = () => ({ source: ROUTER_SOURCE, workspaceid: proposal.workspaceid, id: ids.eventIds(), time: now });
  const hash = payloadHash(decision.action, decision.parameters);
  const request = (approvalId: string, plan: ApprovalPlan) =>
    newEvent(
      APPROVAL_REQUESTED,
      {
        approval_id: approvalId,
        decision_id: decision.decision_id,
        route: plan.route,
        reasons: routing.reasons,
        manifest_version: routing.manifestVersion,
        reviewer_role: plan.reviewer_role,
        escalation_path: plan.escalation_path,
        sla_deadline: plan.sla_deadline,
        expires_at: plan.expires_at,
        on_timeout: plan.on_timeout,
        required_approvals: plan.required_approvals,
        rollback_window_seconds: plan.rollback_window_seconds,
        decision,
        payload_hash: hash,
        // Only a person is shown the attempts; a review after the fact concerns what ran.
        ...(routing.repairAttempts && plan.route !== 'post_review' ? { repair_attempts: routing.repairAttempts } : {}),
      },
      meta(),
    );

  if (routing.verdict === 'human_review' || routing.verdict === 'escalate') {
    if (!routing.approval) throw new Error(`routing ${routing.verdict} without an approval plan`);
    return { events: [request(ids.approvalId, routing.approval)], approvalId: ids.approvalId, postReviewApprovalId: null };
  }

  const resolved = newEvent(
    APPROVAL_RESOLVED,
    policyResolution(
      decision,
      routing.verdict === 'auto_approve' ? 'approved' : 'blocked',
      routing.reasons,
      routing.manifestVersion,
      routing.parameterErrors,
      hash,
    ),
    meta(),
  );
  if (routing.postReview) {
    return { events: [resolved, request(ids.postReviewApprovalId, routing.postReview)], approvalId: null, postReviewApprovalId: ids.postReviewApprovalId };
  }
  return { events: [resolved], approvalId: null, postReviewApprovalId: null };
}

/** What a decision's events carry beyond the router's other columns; kept so they can be emitted again. */
export interface OutcomePlans {
  approval: ApprovalPlan | null;
  post_review: ApprovalPlan | null;
  /** Sent back to the agent: what to correct. */
  parameter_errors: ParameterError[] | null;
  repair_attempts: RepairAttempt[] | null;
}

/** The plans to keep with a decision; null when its events carry none (an auto-approval, a block). */
export function outcomePlans(routing: OutcomeRouting): OutcomePlans | null {
  const plans: OutcomePlans = {
    approval: routing.approval,
    post_review: routing.postReview,
    parameter_errors: routing.parameterErrors,
    repair_attempts: routing.repairAttempts,
  };
  return Object.values(plans).every((plan) => plan === null) ? null : plans;
}

/** What the router recorded of a routed decision, as far as its events go. */
export interface RecordedOutcome {
  workspace: string;
  decision: DecisionProposedData | null;
  verdict: Routing['verdict'];
  reasons: Reason[];
  manifest_version: string;
  approval_id: string | null;
  post_review_approval_id: string | null;
  outcome_plans: OutcomePlans | null;
  outcome_event_ids: string[] | null;
  routed_at: Date;
}

/**
 * A recorded decision's events once more, the same ids, time and content: what a
 * redelivered proposal causes (consumers de-duplicate on the ids). Null when the row cannot
 * say (its events went through the outbox, or it broke the contract).
 */
export function rederivedOutcome(recorded: RecordedOutcome): AnyEvent[] | null {
  const { decision, outcome_event_ids: eventIds, outcome_plans: plans } = recorded;
  if (decision === null || eventIds === null) return null;
  const routing: OutcomeRouting = {
    verdict: recorded.verdict,
    reasons: recorded.reasons,
    manifestVersion: recorded.manifest_version,
    approval: plans?.approval ?? null,
    postReview: plans?.post_review ?? null,
    parameterErrors: plans?.parameter_errors ?? null,
    repairAttempts: plans?.repair_attempts ?? null,
  };
  let next = 0;
  const ids: OutcomeIds = {
    approvalId: recorded.approval_id ?? '',
    postReviewApprovalId: recorded.post_review_approval_id ?? '',
    eventIds: () => {
      if (next >= eventIds.length) throw new Error(`decision ${decision.decision_id} recorded ${eventIds.length} event ids; its outcome has more events`);
      return eventIds[next++];
    },
  };
  const { events } = outcomeEvents({ workspaceid: recorded.workspace, data: decision }, routing, ids, recorded.routed_at);
  return events;
}

/** The data of an `approval.resolved` decided by policy, without a person. */
export function policyResolution(
  decision: Pick<DecisionProposedData, 'decision_id' | 'action' | 'parameters' | 'confidence'>,
  status: 'approved' | 'blocked',
  reasons: Reason[],
  manifestVersion: string,
  parameterErrors: ParameterError[] | null = null,
  hash: string = payloadHash(decision.action, decision.parameters),
) {
  return {
    decision_id: decision.decision_id,
    approval_id: null,
    status,
    resolved_by: { kind: 'policy' as const, id: manifestVersion },
    parameters: decision.parameters,
    edited: false,
    reasons,
    notes: null,
    chosen_option: null,
    manifest_version: manifestVersion,
    confidence: decision.confidence,
    action: decision.action,
    payload_hash: hash,
    // Sent back to the agent to repair: what to correct.
    ...(parameterErrors ? { parameter_errors: parameterErrors } : {}),
  };
}

/**
 * What can still be read from a message that broke the contract, so its agent is told
 * (blocked, with the reason) rather than left waiting.
 */
export function readableParts(raw: Buffer | null): { workspaceid: string; action: string; parameters: Record<string, unknown>; confidence: number } {
  let json: { workspaceid?: unknown; data?: { action?: unknown; parameters?: unknown; confidence?: unknown } } = {};
  try {
    const parsed = raw ? JSON.parse(raw.toString('utf8')) : {};
    if (parsed && typeof parsed === 'object') json = parsed;
  } catch {
    // Not JSON: nothing more to read.
  }
  const data = json.data && typeof json.data === 'object' ? json.data : {};
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  // Only what the blocked answer can carry: text PostgreSQL and every consumer can keep.
  const text = (v: unknown): v is string => typeof v === 'string' && isStorableText(v);
  return {
    workspaceid: text(json.workspaceid) && json.workspaceid.length > 0 ? json.workspaceid : 'unknown',
    action: text(data.action) ? data.action : '',
    parameters: isObject(data.parameters) && unstorableTextPath(data.parameters) === null ? data.parameters : {},
    confidence: typeof data.confidence === 'number' && data.confidence >= 0 && data.confidence <= 1 ? data.confidence : 0,
  };
}

/** Every code of the contract's catalogue (a new one does not compile until it is here). */
const CONTRACT_VIOLATIONS: Readonly<Record<ContractViolationCode, true>> = {
  empty_message: true,
  invalid_json: true,
  unsupported_character: true,
  invalid_envelope: true,
  unknown_type: true,
  wrong_topic: true,
  invalid_data: true,
};

const SIGNATURE_REFUSALS: readonly string[] = ['unsigned', 'signature_invalid'] satisfies SignatureRefusalCode[];

/**
 * Why a refused proposal is blocked, in the words its agent and the audit read: its
 * signature (the transport refused it: unsigned, unknown key, another agent's key, a
 * workspace the agent may not act in), or the wire contract.
 */
export function invalidReason(violation: { code: string; message: string }): Reason {
  if (SIGNATURE_REFUSALS.includes(violation.code)) {
    return { rule: 'signature', detail: `the proposal's signature was refused (${violation.code}): ${violation.message}` };
  }
  if (Object.hasOwn(CONTRACT_VIOLATIONS, violation.code)) {
    return { rule: 'contract_violation', detail: `the proposal breaks the wire contract (${violation.code}): ${violation.message}` };
  }
  // The transport dead-lettered it for what happened handling it (the database refused a value).
  return { rule: 'unprocessable', detail: `the proposal could not be processed (${violation.code}): ${violation.message}` };
}
