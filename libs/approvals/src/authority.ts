import { ApprovalState, OPEN_STATUSES, worksIn } from './approval';
import { Refusal, refusals } from './refusals';

export type { Refusal } from './refusals';

export interface Actor {
  id: string;
  roles: string[];
  workspaces: string[];
}

export type Act = 'approve' | 'deny' | 'edit' | 'clarify';

/** The highest rank in the action's path among the actor's roles; -1 when they hold none. */
export function authorityRank(actor: Actor, actionPath: string[]): number {
  return Math.max(-1, ...actor.roles.map((r) => actionPath.indexOf(r)));
}

/** The rank the approval's current tier demands. */
export function requiredRank(state: ApprovalState): number {
  const role = state.escalationPath[state.tier];
  const rank = state.actionPath.indexOf(role);
  return rank === -1 ? Number.MAX_SAFE_INTEGER : rank;
}

function holds(actor: Actor, state: ApprovalState): boolean {
  const role = state.escalationPath[state.tier];
  return actor.roles.includes(role) || authorityRank(actor, state.actionPath) >= requiredRank(state);
}

/**
 * May `actor` act on this approval? Only reviewers of the workspace holding the current
 * tier's role (or one above it in the action's path); never the person the action is for;
 * one vote each; and only on the payload they were shown.
 */
export function refuse(actor: Actor, state: ApprovalState, act: Act, shownPayloadHash?: string): Refusal | null {
  if (!OPEN_STATUSES.includes(state.status)) {
    return refusals.alreadyResolved(state.status);
  }
  if (!worksIn(actor, state.workspace)) {
    return refusals.wrongWorkspace(actor.id, state.workspace);
  }
  if (!holds(actor, state)) {
    return refusals.wrongRole(actor.id, state.escalationPath[state.tier], actor.roles);
  }
  if ((act === 'approve' || act === 'edit') && state.onBehalfOf !== null && actor.id === state.onBehalfOf) {
    return refusals.requester(actor.id);
  }
  if ((act === 'approve' || act === 'edit') && state.approvedBy.includes(actor.id)) {
    return refusals.alreadyApproved(actor.id, state.requiredApprovals);
  }
  if (shownPayloadHash !== undefined && shownPayloadHash !== state.payloadHash) {
    return refusals.stalePayload(shownPayloadHash, state.payloadHash);
  }
  return null;
}

/** Whether this approval, with `actorId`'s vote, has the distinct approvals it needs. */
export function completesApproval(state: ApprovalState, actorId: string): boolean {
  return new Set([...state.approvedBy, actorId]).size >= state.requiredApprovals;
}

/** The policy's verdict on the edited parameters, as much as authority needs of it. */
export interface Reroute {
  verdict: 'auto_approve' | 'human_review' | 'escalate' | 'block';
  /** The role the new route would start at (null for auto_approve and block). */
  reviewerRole: string | null;
  /** The rule that decided, in plain words. */
  decidedBy: string;
}

/**
 * An edit is judged as a new proposal: blocked parameters cannot be approved, and an edit
 * that crosses a threshold needs the authority that threshold demands.
 */
export function refuseEdit(actor: Actor, state: ApprovalState, reroute: Reroute): Refusal | null {
  if (reroute.verdict === 'block') {
    return refusals.editBlocked(reroute.decidedBy);
  }
  if (reroute.reviewerRole === null) return null;
  const needed = state.actionPath.indexOf(reroute.reviewerRole);
  const allowed = actor.roles.includes(reroute.reviewerRole) || (needed !== -1 && authorityRank(actor, state.actionPath) >= needed);
  if (!allowed) {
    return refusals.editNeedsAuthority(reroute.reviewerRole, reroute.decidedBy, actor.id, actor.roles);
  }
  return null;
}
