// Promotion that is earned (seed 004): an action moves to less oversight only when the
// numbers say it is right and the organisation is ready for it to be wrong: someone owns
// it, it can be undone and the undo has been seen to work, and a drift would be noticed.

/** Labeled outcomes an action needs before it is judged for promotion. */
export const PROMOTION_FROM = 500;
/** The share of reviews in which people intervened (edited, denied, rolled back) under which an action may be promoted. */
export const PROMOTION_MAX_INTERVENTION = 0.01;

/** The reviewed record that a rollback of the action was tried and worked (manifest `rollback_tested`). */
export interface RollbackTestRecord {
  on: string;
  by: string;
  evidence: string;
}

/** What the manifest and the service say of an action, besides its numbers. */
export interface PromotionPolicy {
  mode: string;
  severity: string;
  reversible: boolean;
  rollback_window_seconds: number | null;
  owner: string | null;
  rollback_tested: RollbackTestRecord | null;
  /** Drift is watched for this action and its owner has somewhere to be alerted; else why not. */
  monitoring: { in_place: true } | { in_place: false; missing: string };
}

/** What the action's record shows. */
export interface PromotionEvidence {
  n: number;
  accuracy: number;
  /** The 95% lower bound of the accuracy. */
  wilson_lower: number;
  target_accuracy: number;
  /** Reviews (before and after the fact) and the share in which people intervened; null: none reviewed. */
  intervention: { reviewed: number; rate: number } | null;
  /** Rollbacks of the action a reviewer made in its window whose compensation the agent completed. */
  completed_rollbacks: number;
}

export interface PromotionCheck {
  from_mode: string;
  /** The mode one step less supervised; null: none (irreversible, or already as free as its severity allows). */
  to_mode: string | null;
  /** Each condition that holds, in words. */
  met: string[];
  /** Each condition that does not; empty: promotion is suggested. */
  held_back: string[];
}

/**
 * One step at a time, and never past the seed's 2x2: approve_before → review_after (act,
 * with a person on the loop and a rollback window), review_after → autonomous only for low
 * or medium severity. An irreversible action has no rollback to stand behind a person on
 * the loop: it is never suggested for review_after or autonomy.
 */
export function nextMode(policy: Pick<PromotionPolicy, 'mode' | 'severity' | 'reversible'>): string | null {
  if (!policy.reversible) return null;
  if (policy.mode === 'approve_before') return 'review_after';
  if (policy.mode === 'review_after' && (policy.severity === 'low' || policy.severity === 'medium')) return 'autonomous';
  return null;
}

const fmt = (x: number) => x.toFixed(2);

/** Every condition of seed 004, each met or holding the promotion back, in words. */
export function judgePromotion(policy: PromotionPolicy, evidence: PromotionEvidence): PromotionCheck {
  const to = nextMode(policy);
  const met: string[] = [];
  const held: string[] = [];
  const check = (ok: boolean, yes: string, no: string) => (ok ? met : held).push(ok ? yes : no);

  if (!policy.reversible) held.push('irreversible: never suggested for review_after or autonomy');
  else if (to === null) held.push(`${policy.mode} is as little oversight as a ${policy.severity}-severity action gets`);
  check(evidence.n >= PROMOTION_FROM, `${evidence.n} labeled outcomes`, `${evidence.n} labeled outcomes, under ${PROMOTION_FROM}`);
  check(
    evidence.n > 0 && evidence.wilson_lower > evidence.target_accuracy,
    `accuracy ${fmt(evidence.accuracy)} with a 95% lower bound of ${fmt(evidence.wilson_lower)} above the target ${fmt(evidence.target_accuracy)}`,
    `the 95% lower bound of accuracy, ${fmt(evidence.wilson_lower)}, is not above the target ${fmt(evidence.target_accuracy)}`,
  );
  const i = evidence.intervention;
  check(
    i !== null && i.rate < PROMOTION_MAX_INTERVENTION,
    `reviewers intervened in ${i ? (i.rate * 100).toFixed(1) : 0}% of ${i?.reviewed ?? 0}`,
    i === null
      ? 'no reviews to show how often reviewers intervene'
      : `reviewers intervened in ${(i.rate * 100).toFixed(1)}% of ${i.reviewed}, not under ${PROMOTION_MAX_INTERVENTION * 100}%`,
  );
  check(policy.owner !== null && policy.owner !== '', `owned by ${policy.owner}`, 'no owner: nobody is accountable for its autonomy');
  if (policy.reversible) {
    check(
      policy.rollback_window_seconds !== null && policy.rollback_window_seconds > 0,
      `a rollback window of ${policy.rollback_window_seconds} s`,
      'no rollback_window_seconds: a person on the loop would have no time to undo it',
    );
    const tested = evidence.completed_rollbacks > 0 || policy.rollback_tested !== null;
    check(
      tested,
      evidence.completed_rollbacks > 0
        ? `${evidence.completed_rollbacks} rollback${evidence.completed_rollbacks === 1 ? '' : 's'} completed by the agent's compensation`
        : `rollback tested on ${policy.rollback_tested?.on} by ${policy.rollback_tested?.by} (${policy.rollback_tested?.evidence})`,
      'no rollback has been completed by its compensation, and no rollback_tested record: the undo has never been seen to work',
    );
  }
  check(
    policy.monitoring.in_place,
    'drift is watched and the owner is alerted',
    policy.monitoring.in_place ? '' : `no monitoring: ${policy.monitoring.missing}`,
  );
  return { from_mode: policy.mode, to_mode: to, met, held_back: held };
}
