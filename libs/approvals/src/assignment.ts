import { ApprovalState, Candidate, worksIn } from './approval';
import { isRequester, selfGranted } from './authority';
import { approvalTierDeadline } from './tiers';

/**
 * Holds the role in the workspace (not on their own grant), is available, has room, and is
 * not the person the action is for (by id or alias, ignoring case).
 */
export function qualifies(candidate: Candidate, role: string, workspace: string, onBehalfOf: string | null): boolean {
  return (
    candidate.available &&
    candidate.roles.includes(role) &&
    worksIn(candidate, workspace) &&
    !isRequester(candidate, onBehalfOf) &&
    !selfGranted(candidate) &&
    (candidate.capacity === null || candidate.pending < candidate.capacity)
  );
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
 * Where a new request goes: the least-loaded qualified reviewer of its first tier; if
 * none, the next tier that has one; if no tier has one, it waits in the first tier's
 * queue and operations are alerted.
 */
export function placeNewApproval(state: ApprovalState, candidates: Candidate[], requestedDeadline: Date, now: Date): Placement {
  for (let tier = state.tier; tier < state.escalationPath.length; tier++) {
    const role = state.escalationPath[tier];
    const chosen = leastLoaded(candidates, role, state.workspace, state.onBehalfOf);
    if (chosen) {
      // The first tier keeps the deadline the router set; a later tier starts its own.
      const slaDeadline = tier === state.tier ? requestedDeadline : approvalTierDeadline(state, tier, now);
      return { tier, role, reviewerId: chosen.id, slaDeadline, alert: null };
    }
  }
  return {
    tier: state.tier,
    role: state.escalationPath[state.tier],
    reviewerId: null,
    slaDeadline: requestedDeadline,
    alert: `no available reviewer holds any of ${state.escalationPath.join(', ')} in ${state.workspace}; it waits in the ${state.escalationPath[state.tier]} queue`,
  };
}
