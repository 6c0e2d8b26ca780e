import { ApprovalState, OPEN_STATUSES, worksIn } from './approval';
import { Refusal, refusals } from './refusals';

export type { Refusal } from './refusals';

/** A person as identity checks see them: their id and the other names they go by. */
export interface Person {
  id: string;
  /** E-mail addresses, external ids: an action on behalf of any of them is on behalf of this person. */
  aliases?: readonly string[];
}

export interface Actor extends Person {
  roles: string[];
  workspaces: string[];
  /** Who last widened the actor's roles or workspaces (null: the reviewers file, or not known). */
  grantedBy?: string | null;
}

// Names are compared ignoring case (Emil@Example.com is emil@example.com), as the database guard does with lower().
const fold = (name: string) => name.toLowerCase();

/** Whether `name` is this person: their id or one of their aliases, ignoring case. */
export function isNamed(person: Person, name: string | null | undefined): boolean {
  if (name === null || name === undefined) return false;
  const wanted = fold(name);
  return fold(person.id) === wanted || (person.aliases ?? []).some((alias) => fold(alias) === wanted);
}

/** The person an action is on behalf of: never assigned it, never approves it (also a database guard). */
export function isRequester(person: Person, onBehalfOf: string | null): boolean {
  return isNamed(person, onBehalfOf);
}

/** Authority one gave oneself is none: the last widening of the person's roles or workspaces was their own. */
export function selfGranted(person: Person & { grantedBy?: string | null }): boolean {
  return isNamed(person, person.grantedBy);
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
 * tier's role (or one above it in the action's path); never the person the action is for
 * (by id or alias, ignoring case), nor anyone on authority they gave themselves; one vote
 * each; and only on the payload they were shown.
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
  if ((act === 'approve' || act === 'edit') && isRequester(actor, state.onBehalfOf)) {
    return refusals.requester(actor.id);
  }
  if ((act === 'approve' || act === 'edit') && selfGranted(actor)) {
    return refusals.selfGranted(actor.id);
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
