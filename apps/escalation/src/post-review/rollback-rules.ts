// Post-review (human on the loop): the action already ran, and a reviewer may roll it back
// within the manifest's rollback window, counted from when the approval was requested.
import { Actor, ApprovalState, Refusal, refuse } from '@hitl/approvals';

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
    return { status: 409, code: 'not_post_review', message: `only an action that already ran (route post_review) can be rolled back; this one is ${subject.state.route}: deny it instead` };
  }
  const closesAt = rollbackClosesAt(subject.createdAt, subject.rollbackWindowSeconds);
  if (closesAt !== null && now.getTime() > closesAt.getTime()) {
    return {
      status: 409,
      code: 'rollback_window_closed',
      message: `the ${subject.rollbackWindowSeconds}-second rollback window closed at ${closesAt.toISOString()}`,
    };
  }
  return null;
}
