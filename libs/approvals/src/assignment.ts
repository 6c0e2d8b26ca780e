import { ApprovalState, Candidate, worksIn } from './approval';
import { isRequester, selfGranted } from './authority';
import { approvalTierDeadline } from './tiers';

/**
 * Holds the role in the workspace (not on their own grant), is available, and is not the
 * person the action is for (by id or alias, ignoring case): someone who could take it,
 * room or not.
 */
export function eligible(candidate: Candidate, role: string, workspace: string, onBehalfOf: string | null): boolean {
  return (
    candidate.available && candidate.roles.includes(role) && worksIn(candidate, workspace) && !isRequester(candidate, onBehalfOf) && !selfGranted(candidate)
  );
}

/** Room for one more approval an agent waits on: post-reviews never take it away. */
export function hasRoom(candidate: Candidate): boolean {
  return candidate.capacity === null || candidate.pending < candidate.capacity;
}

/** Room for one more post-review: only what the blocking work leaves of the capacity. */
export function hasRoomForPostReview(candidate: Candidate): boolean {
  return candidate.capacity === null || candidate.pending + (candidate.postReviews ?? 0) < candidate.capacity;
}

/** Eligible, with room for one more approval an agent waits on. */
export function qualifies(candidate: Candidate, role: string, workspace: string, onBehalfOf: string | null): boolean {
  return eligible(candidate, role, workspace, onBehalfOf) && hasRoom(candidate);
}

/** The qualified candidate with the fewest open approvals (ties: by id, so every replica agrees). */
export function leastLoaded(
  candidates: Candidate[],
  role: string,
  workspace: string,
  onBehalfOf: string | null,
  exclude: readonly string[] = [],
): Candidate | null {
  const pool = candidates
    .filter((c) => qualifies(c, role, workspace, onBehalfOf) && !exclude.includes(c.id))
    .sort((a, b) => a.pending - b.pending || a.id.localeCompare(b.id));
  return pool[0] ?? null;
}

export interface Placement {
  tier: number;
  role: string;
  reviewerId: string | null;
  slaDeadline: Date;
  /** Said when nobody qualified at all: operations must know. */
  alert: string | null;
}

/**
 * Where a new request goes: the least-loaded qualified reviewer of its first tier. When the
 * tier's reviewers are all at capacity, it waits in the tier's queue for the first of them
 * to take it (a full desk is not a reason to skip people of the right role). When the tier
 * has nobody at all, the next tier that has someone; if no tier does, it waits in the first
 * tier's queue and operations are alerted.
 */
export function placeNewApproval(state: ApprovalState, candidates: Candidate[], requestedDeadline: Date, now: Date): Placement {
  for (let tier = state.tier; tier < state.escalationPath.length; tier++) {
    const role = state.escalationPath[tier];
    // The first tier keeps the deadline the router set; a later tier starts its own.
    const slaDeadline = () => (tier === state.tier ? requestedDeadline : approvalTierDeadline(state, tier, now));
    const chosen = leastLoaded(candidates, role, state.workspace, state.onBehalfOf);
    if (chosen) return { tier, role, reviewerId: chosen.id, slaDeadline: slaDeadline(), alert: null };
    if (candidates.some((c) => eligible(c, role, state.workspace, state.onBehalfOf)))
      return { tier, role, reviewerId: null, slaDeadline: slaDeadline(), alert: null };
  }
  return {
    tier: state.tier,
    role: state.escalationPath[state.tier],
    reviewerId: null,
    slaDeadline: requestedDeadline,
    alert: `no available reviewer holds any of ${state.escalationPath.join(', ')} in ${state.workspace}; it waits in the ${state.escalationPath[state.tier]} queue`,
  };
}

export type PostReviewPlacement =
  { kind: 'queued'; role: string; reviewerId: string } | { kind: 'not_queued'; role: string; reason: 'no_review_capacity'; detail: string };

/**
 * Where a post-review goes (the action already ran; nobody waits on it): to the eligible
 * reviewer of its role with the most room left after their blocking work, or nowhere. A
 * post-review nobody has room for is not queued at all: that is how sampling backs off
 * when reviews arrive faster than people clear them, instead of burying blocking work.
 */
export function placePostReview(state: ApprovalState, candidates: Candidate[]): PostReviewPlacement {
  const role = state.escalationPath[state.tier];
  const able = candidates.filter((c) => eligible(c, role, state.workspace, state.onBehalfOf));
  const chosen = able
    .filter(hasRoomForPostReview)
    .sort((a, b) => a.pending + (a.postReviews ?? 0) - (b.pending + (b.postReviews ?? 0)) || a.id.localeCompare(b.id))[0];
  if (chosen) return { kind: 'queued', role, reviewerId: chosen.id };
  const detail =
    able.length === 0
      ? `no available ${role} in ${state.workspace} to review it after the fact`
      : `every available ${role} in ${state.workspace} is at capacity with the work agents wait on and earlier post-reviews; sampling backed off`;
  return { kind: 'not_queued', role, reason: 'no_review_capacity', detail };
}
