// Post-review (human on the loop): the action already ran, and a reviewer may roll it back
// within the manifest's rollback window, counted from when the approval was requested.
import { ApprovalState } from './approval';
import { Actor, refuse } from './authority';
import { Refusal, refusals } from './refusals';

export interface RollbackSubject {
  state: ApprovalState;
  createdAt: Date;
  /** null: no limit. */
  rollbackWindowSeconds: number | null;
}

/** When the window closes; null when it never does. */
export function rollbackClosesAt(createdAt: Date, rollbackWindowSeconds: number | null): Date | null {
  return rollbackWindowSeconds === null ? null : new Date(createdAt.getTime() + rollbackWindowSeconds * 1000);
}

/**
 * May `actor` roll this back now? Whoever may deny it (libs/approvals), only for an action
 * that already ran (`post_review`), and only while the window is open (its last instant included).
 */
export function refuseRollback(actor: Actor, subject: RollbackSubject, now: Date): Refusal | null {
  const refusal = refuse(actor, subject.state, 'deny');
  if (refusal) return refusal;
  if (subject.state.route !== 'post_review') {
    return refusals.notPostReview(subject.state.route);
  }
  const closesAt = rollbackClosesAt(subject.createdAt, subject.rollbackWindowSeconds);
  if (closesAt !== null && now.getTime() > closesAt.getTime()) {
    return refusals.rollbackWindowClosed(subject.rollbackWindowSeconds, closesAt);
  }
  return null;
}
