// Drift: an action that was right yesterday may not be today (a new model, a new kind of
// customer). Each check compares an action's latest outcomes, a sliding window, with its
// bounds; the first check that sees a fall alerts the owner at once with a demotion, one
// alert per episode, and the episode ends when the window is back at its bound.
import { pct, wilsonLowerBound } from './report';

/** Outcomes (or reviews) a window needs before it is judged: fewer say nothing either way. */
export const DRIFT_MIN_SAMPLES = 20;

/** What SQL counts of one workspace's action: its latest labeled outcomes and reviews, and the reviews before them. */
export interface RecentRecord {
  workspace: string;
  action: string;
  /** The latest labeled outcomes (up to the window), and how many were correct. */
  labeled: number;
  correct: number;
  /** The latest reviews before the action ran (up to the window), and how many were approved unchanged. */
  reviewed: number;
  approved_unchanged: number;
  /** The reviews before those (the baseline the approval rate is compared with). */
  baseline_reviewed: number;
  baseline_approved_unchanged: number;
}

/** The action's manifest entry and the bounds it is held to. */
export interface DriftPolicy {
  mode: string;
  severity: string;
  reversible: boolean;
  auto_approve_confidence: number | 'never';
  owner: string | null;
  target_accuracy: number;
  /** How far below its baseline the approval rate may fall before it is drift, e.g. 0.1. */
  approval_drop: number;
}

/** Where an action's watch stands between checks. */
export interface DriftWatch {
  workspace: string;
  action: string;
  drifting: boolean;
  /** When the episode began; null when not drifting. */
  since: string | null;
}

/** Putting the checkpoint back: a mode one step more supervised, or no auto-approval on confidence. */
export type Demotion = { field: 'mode'; from: string; to: string } | { field: 'thresholds.auto_approve_confidence'; from: number; to: 'never' };

export interface DriftAlert {
  workspace: string;
  action: string;
  owner: string | null;
  /** What fell, with its numbers. */
  reasons: string[];
  /** null: the action is already reviewed before it runs, every time; the alert stands alone. */
  demotion: Demotion | null;
}

export interface DriftCheck {
  alerts: DriftAlert[];
  /** Every watch after the check (those of actions checked, and those left as they were). */
  watches: DriftWatch[];
  /** Actions whose episode ended in this check. */
  recovered: { workspace: string; action: string; since: string }[];
}

/** The upper end of the 95% Wilson interval: what the rate could still be at best. */
export function wilsonUpperBound(successes: number, n: number): number {
  return n === 0 ? 1 : 1 - wilsonLowerBound(n - successes, n);
}

/**
 * One step back towards a person: autonomous → review_after when it can be undone (else
 * approve_before), review_after and log_and_alert → approve_before; an approve_before action
 * that auto-approves on confidence stops doing so (`never`). null: nothing left to take back.
 */
export function demotionOf(policy: Pick<DriftPolicy, 'mode' | 'reversible' | 'auto_approve_confidence'>): Demotion | null {
  if (policy.mode === 'autonomous') return { field: 'mode', from: 'autonomous', to: policy.reversible ? 'review_after' : 'approve_before' };
  if (policy.mode === 'review_after' || policy.mode === 'log_and_alert') return { field: 'mode', from: policy.mode, to: 'approve_before' };
  if (policy.auto_approve_confidence !== 'never') return { field: 'thresholds.auto_approve_confidence', from: policy.auto_approve_confidence, to: 'never' };
  return null;
}

/**
 * What fell in a record, if anything: accuracy whose upper bound is below the target (the
 * window cannot be as good as it must be), or an approval rate whose upper bound is below
 * the baseline's rate less the allowed drop. Each needs DRIFT_MIN_SAMPLES on both sides.
 */
export function driftReasons(record: RecentRecord, policy: DriftPolicy, window: number): string[] {
  const reasons: string[] = [];
  if (record.labeled >= DRIFT_MIN_SAMPLES && wilsonUpperBound(record.correct, record.labeled) < policy.target_accuracy) {
    reasons.push(
      `accuracy of the latest ${record.labeled} labeled outcomes (window ${window}) is ${pct(record.correct / record.labeled)}, ${record.correct} of ${record.labeled}; even its 95% upper bound, ${pct(wilsonUpperBound(record.correct, record.labeled))}, is below the target ${pct(policy.target_accuracy)}`,
    );
  }
  if (record.reviewed >= DRIFT_MIN_SAMPLES && record.baseline_reviewed >= DRIFT_MIN_SAMPLES) {
    const baseline = record.baseline_approved_unchanged / record.baseline_reviewed;
    const bound = baseline - policy.approval_drop;
    if (wilsonUpperBound(record.approved_unchanged, record.reviewed) < bound) {
      reasons.push(
        `reviewers approved unchanged ${pct(record.approved_unchanged / record.reviewed)} of the latest ${record.reviewed} reviews (${record.approved_unchanged}), against ${pct(baseline)} of the ${record.baseline_reviewed} before them; the bound is ${pct(bound)}`,
      );
    }
  }
  return reasons;
}

/** Back at its bounds: accuracy at the target, and the approval rate within the allowed drop (by their rates, not bounds). */
function recovered(record: RecentRecord, policy: DriftPolicy): boolean {
  const accurate = record.labeled < DRIFT_MIN_SAMPLES || record.correct / record.labeled >= policy.target_accuracy;
  const approving =
    record.reviewed < DRIFT_MIN_SAMPLES ||
    record.baseline_reviewed < DRIFT_MIN_SAMPLES ||
    record.approved_unchanged / record.reviewed >= record.baseline_approved_unchanged / record.baseline_reviewed - policy.approval_drop;
  return accurate && approving;
}

/** One check of every record against its policy. Pure: (watches, records, now) → alerts and the watches after. */
export function checkDrift(
  watches: readonly DriftWatch[],
  records: readonly RecentRecord[],
  policyOf: (workspace: string, action: string) => DriftPolicy | null,
  now: Date,
  window: number,
): DriftCheck {
  const key = (w: { workspace: string; action: string }) => `${w.workspace}\u0000${w.action}`;
  const after = new Map(watches.map((w) => [key(w), w]));
  const alerts: DriftAlert[] = [];
  const ended: DriftCheck['recovered'] = [];
  for (const record of records) {
    const policy = policyOf(record.workspace, record.action);
    if (!policy) continue; // an action the manifest no longer lists has no bounds and no owner
    const watch = after.get(key(record)) ?? { workspace: record.workspace, action: record.action, drifting: false, since: null };
    if (!watch.drifting) {
      const reasons = driftReasons(record, policy, window);
      if (reasons.length > 0) {
        alerts.push({ workspace: record.workspace, action: record.action, owner: policy.owner, reasons, demotion: demotionOf(policy) });
        after.set(key(record), { ...watch, drifting: true, since: now.toISOString() });
        continue;
      }
    } else if (recovered(record, policy)) {
      ended.push({ workspace: record.workspace, action: record.action, since: watch.since ?? now.toISOString() });
      after.set(key(record), { ...watch, drifting: false, since: null });
      continue;
    }
    after.set(key(record), watch);
  }
  return { alerts, watches: [...after.values()], recovered: ended };
}

/** The alert's words, for a webhook or a log line. */
export function driftAlertText(alert: DriftAlert): string {
  const demotion =
    alert.demotion === null
      ? 'It is already reviewed before it runs; nothing to take back.'
      : alert.demotion.field === 'mode'
        ? `Suggested demotion: mode ${alert.demotion.from} → ${alert.demotion.to}.`
        : `Suggested demotion: auto_approve_confidence ${alert.demotion.from} → never (every decision reviewed).`;
  return `Drift in ${alert.action} (${alert.workspace}): ${alert.reasons.join('; ')}. ${demotion}`;
}
