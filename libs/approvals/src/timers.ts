import { ApprovalState, Candidate, addMinutes, addSeconds } from './approval';
import { leastLoaded } from './assignment';
import { approvalTierDeadline as deadlineAt } from './tiers';

export type SlaOutcome =
  | { kind: 'reassigned'; tier: number; role: string; reviewerId: string; previousReviewerId: string | null; slaDeadline: Date; reason: string }
  | { kind: 'escalated'; tier: number; role: string; fromRole: string; reviewerId: string | null; slaDeadline: Date; reason: string; alert: string | null }
  | { kind: 'unanswered'; slaDeadline: Date; alert: string };

/**
 * A tier's deadline ran out: the next qualified reviewer of the tier (least loaded, not
 * tried yet), else the next tier, else operations are alerted and it is looked at again
 * one SLA later. Each new deadline is the tier's SLA or its share of the time left before
 * expiry, whichever is sooner, so the later tiers are still offered it. Never resolves
 * anything: only `expires_at` does.
 */
export function onSlaMissed(state: ApprovalState, candidates: Candidate[], now: Date): SlaOutcome {
  const role = state.escalationPath[state.tier];
  const minutes = state.slaMinutes[state.urgency];
  const slaDeadline = deadlineAt(state, state.tier, now);
  const tried = state.assignee ? [...state.triedAtTier, state.assignee] : state.triedAtTier;
  const next = leastLoaded(candidates, role, state.workspace, state.onBehalfOf, tried);
  if (next) {
    return {
      kind: 'reassigned',
      tier: state.tier,
      role,
      reviewerId: next.id,
      previousReviewerId: state.assignee,
      slaDeadline,
      reason: `the deadline of ${role} (its ${minutes}-minute SLA or its share of the time before expiry) ran out${state.assignee ? ` with ${state.assignee}` : ''}`,
    };
  }
  if (state.tier + 1 < state.escalationPath.length) {
    const up = state.escalationPath[state.tier + 1];
    const chosen = leastLoaded(candidates, up, state.workspace, state.onBehalfOf);
    return {
      kind: 'escalated',
      tier: state.tier + 1,
      role: up,
      fromRole: role,
      reviewerId: chosen?.id ?? null,
      slaDeadline: deadlineAt(state, state.tier + 1, now),
      reason: `no ${role} decided within the tier's deadline`,
      alert: chosen ? null : `no available ${up} in ${state.workspace}; it waits in the ${up} queue`,
    };
  }
  return {
    kind: 'unanswered',
    slaDeadline: addMinutes(now, minutes),
    alert: `nobody is left to escalate to after ${role} in ${state.workspace}; the SLA ran out`,
  };
}

export type ExpiryOutcome =
  | { kind: 'resolve'; status: 'expired' | 'approved'; reason: string }
  | { kind: 'unreviewed'; reason: 'review_window_closed'; detail: string }
  | {
      kind: 'escalated';
      tier: number;
      role: string;
      fromRole: string;
      reviewerId: string | null;
      slaDeadline: Date;
      expiresAt: Date;
      reason: string;
      alert: string | null;
    };

/**
 * `expires_at` passed with no decision: `on_timeout` applies (a post-review ends unreviewed). `deny` expires it;
 * `escalate` moves it up a tier (and expires it after the last); `approve` approves it
 * only where the manifest allows it, and expires it everywhere else: an agent must never
 * get approval by waiting out a reviewer.
 */
export function onExpired(state: ApprovalState, candidates: Candidate[], now: Date): ExpiryOutcome {
  // A post-review's expiry is the end of its review window: the action ran long ago, so
  // nothing is resolved; it ends unreviewed, which is no verdict on the action.
  if (state.route === 'post_review') {
    return {
      kind: 'unreviewed',
      reason: 'review_window_closed',
      detail: `nobody reviewed it before its review window closed${state.expiresAt ? ` at ${state.expiresAt.toISOString()}` : ''}`,
    };
  }
  const waited = `no decision within ${state.approvalTimeoutSeconds} s`;
  switch (state.onTimeout) {
    case 'approve':
      return state.approveOnTimeoutAllowed
        ? { kind: 'resolve', status: 'approved', reason: `${waited}; the manifest approves this low-severity, reversible action on timeout` }
        : { kind: 'resolve', status: 'expired', reason: `${waited}; on_timeout approve is not allowed for this action, so it is denied` };
    case 'escalate': {
      if (state.tier + 1 >= state.escalationPath.length) {
        return { kind: 'resolve', status: 'expired', reason: `${waited} at the last tier (${state.escalationPath[state.tier]}); denied` };
      }
      const role = state.escalationPath[state.tier + 1];
      const chosen = leastLoaded(candidates, role, state.workspace, state.onBehalfOf);
      return {
        kind: 'escalated',
        tier: state.tier + 1,
        role,
        fromRole: state.escalationPath[state.tier],
        reviewerId: chosen?.id ?? null,
        slaDeadline: deadlineAt({ ...state, expiresAt: addSeconds(now, state.approvalTimeoutSeconds) }, state.tier + 1, now),
        expiresAt: addSeconds(now, state.approvalTimeoutSeconds),
        reason: `${waited}; on_timeout escalates`,
        alert: chosen ? null : `no available ${role} in ${state.workspace}; it waits in the ${role} queue`,
      };
    }
    case 'deny':
      return { kind: 'resolve', status: 'expired', reason: `${waited}; on_timeout denies` };
  }
}
