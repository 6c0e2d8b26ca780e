// Calibration: when an agent says 0.9, how often is it right? The numbers of the seed:
// buckets of 0.1, judged from 10 samples, findings from 20 and an error above 0.10.
import type { EscalateWhen } from '@hitl/policy';
import { EditAnalysis, ReviewedDecision, analyseEdits } from './edits';
import { PromotionCheck, PromotionPolicy, judgePromotion } from './promotion';
import { AmountBandRow, AmountWidening, amountBandEdges, suggestWidening } from './widening';

export const JUDGED_FROM = 10;
export const FINDINGS_FROM = 20;
export const FINDING_ERROR = 0.1;

/** What SQL aggregation returns for one action (and agent) and bucket. */
export interface BucketRow {
  action: string;
  agent_id: string | null;
  bucket: number;
  n: number;
  sum_confidence: number;
  correct: number;
  /** Σ (confidence − outcome)², outcome 1 when correct. */
  sum_squared_error: number;
}

/**
 * What people did: before an action ran (approved unchanged, edited, denied), and after it
 * ran (a post-review confirmed, or rolled back: undoing it is an intervention too).
 */
export interface InterventionCounts {
  approved_unchanged: number;
  edited: number;
  denied: number;
  confirmed: number;
  rolled_back: number;
}

/** The seed's numbers for lowering a threshold: 99% approved unchanged, over 400 reviews per band. */
export const APPROVED_UNCHANGED_TARGET = 0.99;
export const LOWERING_FROM = 400;

/** What lowering a threshold is judged by: the action's manifest entry and the evidence asked of reviewers' approvals. */
export interface LoweringPolicy {
  escalate_confidence: number;
  severity: string;
  reversible: boolean;
  /** The share of reviewed decisions of a band approved unchanged from which it may be auto-approved. */
  approved_unchanged_target: number;
  /** Reviewed decisions a band needs before it is judged for lowering. */
  min_reviews: number;
}

export interface CalibrationPolicy {
  target_accuracy: number;
  mode: string;
  auto_approve_confidence: number | 'never';
  /** Absent: thresholds are only ever raised. */
  lowering?: LoweringPolicy;
  /** What promotion is judged by besides the numbers (owner, rollback, monitoring); absent: never promoted. */
  promotion?: PromotionPolicy;
  /** What edit analysis needs of the manifest: the fields it never looks at, and the rules already there. */
  edits?: { redact: readonly string[]; escalate_when: readonly EscalateWhen[] };
  /** The action's amount limits; absent or no auto_approve_below_usd: nothing to widen. */
  amounts?: { auto_approve_below_usd: number | null; always_approve_above_usd: number | null };
}

/** Per action and bucket, what SQL counts of the decisions people reviewed before they ran (route human_review), each once. */
export interface ApprovalBandRow {
  action: string;
  bucket: number;
  reviewed: number;
  approved_unchanged: number;
}

/** A suggestion to auto-approve from a lower confidence, with its evidence. */
export interface ThresholdLowering {
  from: number;
  to: number;
  reason: string;
}

export interface Bucket {
  bucket: number;
  from: number;
  to: number;
  n: number;
  stated: number;
  actual: number;
  error: number;
  /** Under 10 samples a bucket is shown, not judged. */
  judged: boolean;
}

export interface Finding {
  bucket: number;
  kind: 'overstates' | 'understates';
  stated: number;
  actual: number;
  n: number;
  text: string;
}

export interface ActionReport {
  action: string;
  agent_id: string | null;
  n: number;
  accuracy: number;
  wilson_lower: number;
  ece: number;
  brier: number;
  buckets: Bucket[];
  findings: Finding[];
  intervention: (InterventionCounts & { rate: number }) | null;
  /** Suggested when every condition of the promotion check holds. */
  promotion: { from_mode: string; to_mode: string; reason: string } | null;
  /** Each of seed 004's conditions, met or holding promotion back; null: not judged (no promotion policy). */
  promotion_check: PromotionCheck | null;
  demotion: { reason: string } | null;
  /** `never`: no threshold meets the target, so confidence alone should never auto-approve it. Below the current one: see `lowering`. */
  suggested_auto_approve_confidence: number | 'never' | null;
  /** Set when the suggestion lowers the threshold: reviewers approved the bands below it unchanged. */
  lowering: ThresholdLowering | null;
  /** A higher auto_approve_below_usd, where reviewers approved the amounts just above it unchanged. */
  widening: AmountWidening | null;
  /** What reviewers change of the agent's parameters, with escalate_when rules where the pattern is clear; null: no reviews read. */
  edits: EditAnalysis | null;
}

/** Buckets of 0.1: [0, 0.1) is 0 … [0.9, 1.0] is 9. */
export function bucketOf(confidence: number): number {
  return Math.min(9, Math.max(0, Math.floor(confidence * 10 + 1e-9)));
}

/** The lower end of the Wilson score interval (95% by default) for successes out of n. */
export function wilsonLowerBound(successes: number, n: number, z = 1.96): number {
  if (n === 0) return 0;
  const p = successes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n);
  return (centre - margin) / (1 + z2 / n);
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
const fmt = (x: number) => x.toFixed(2);

export function toBuckets(rows: BucketRow[]): Bucket[] {
  return [...rows]
    .sort((a, b) => a.bucket - b.bucket)
    .map((r) => {
      const stated = r.sum_confidence / r.n;
      const actual = r.correct / r.n;
      return {
        bucket: r.bucket,
        from: r.bucket / 10,
        to: (r.bucket + 1) / 10,
        n: r.n,
        stated: round(stated),
        actual: round(actual),
        error: round(Math.abs(stated - actual)),
        judged: r.n >= JUDGED_FROM,
      };
    });
}

/** Σ (n_b / N) · |actual_b − stated_b| */
export function expectedCalibrationError(buckets: Bucket[]): number {
  const total = buckets.reduce((s, b) => s + b.n, 0);
  if (total === 0) return 0;
  return round(buckets.reduce((s, b) => s + (b.n / total) * Math.abs(b.actual - b.stated), 0));
}

/**
 * The lowest auto-approve threshold above the current one at which every judged bucket
 * from there up is at least as accurate as the target; `never` when none is (no
 * auto-approval on confidence alone: a threshold of 1 would still pass confidence 1);
 * null when the current threshold is fine, or is already `never`.
 */
export function suggestThreshold(buckets: Bucket[], current: number | 'never', target: number): number | 'never' | null {
  if (current === 'never') return null;
  const failing = (from: number) => buckets.some((b) => b.judged && b.bucket >= from && b.actual < target);
  const start = bucketOf(current);
  if (!failing(start)) return null;
  for (let k = start + 1; k < 10; k++) if (!failing(k)) return Math.max(k / 10, current);
  return 'never';
}

export const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * Lowering auto_approve_confidence to the lower edge of a band auto-approves every band
 * from there to the current threshold: each of them must have been approved unchanged by
 * reviewers at the target rate over at least min_reviews reviews, and none may fall short
 * of the accuracy target in its labels. The lowest such edge is suggested, never below
 * escalate_confidence, and only for approve_before actions (others are not reviewed before
 * they run). An irreversible high or critical action asks more: the 95% lower bound of the
 * rate, not the rate, must reach the target. null: no lowering.
 */
export function suggestLowering(
  bands: readonly ApprovalBandRow[],
  buckets: readonly Bucket[],
  current: number | 'never',
  target_accuracy: number,
  mode: string,
  policy: LoweringPolicy,
): ThresholdLowering | null {
  if (current === 'never' || mode !== 'approve_before') return null;
  const strict = !policy.reversible && (policy.severity === 'high' || policy.severity === 'critical');
  const holds = (b: ApprovalBandRow | undefined): b is ApprovalBandRow =>
    b !== undefined &&
    b.reviewed >= policy.min_reviews &&
    (strict ? wilsonLowerBound(b.approved_unchanged, b.reviewed) : b.approved_unchanged / b.reviewed) >= policy.approved_unchanged_target;
  const accurateFrom = (k: number) => !buckets.some((b) => b.judged && b.bucket >= k && b.actual < target_accuracy);
  const evidence: ApprovalBandRow[] = [];
  let to: number | null = null;
  // From the band just below the current threshold down, while each band holds.
  for (let k = Math.ceil(current * 10 - 1e-9) - 1; k >= 0 && k / 10 >= policy.escalate_confidence - 1e-9; k--) {
    const band = bands.find((b) => b.bucket === k);
    if (!holds(band) || !accurateFrom(k)) break;
    evidence.push(band);
    to = k / 10;
  }
  if (to === null) return null;
  const bandsText = evidence
    .reverse()
    .map(
      (b) =>
        `${(b.bucket / 10).toFixed(1)}-${((b.bucket + 1) / 10).toFixed(1)}: ${b.approved_unchanged} of ${b.reviewed} (${pct(b.approved_unchanged / b.reviewed)})`,
    )
    .join('; ');
  const bar = strict
    ? `the 95% lower bound of each rate at least ${pct(policy.approved_unchanged_target)} (irreversible, ${policy.severity} severity)`
    : `each at least ${pct(policy.approved_unchanged_target)}`;
  return {
    from: current,
    to,
    reason: `reviewers approved unchanged ${bandsText}, ${bar}, over ${policy.min_reviews}+ reviews each`,
  };
}

export function buildReport(input: {
  action: string;
  agent_id: string | null;
  buckets: BucketRow[];
  interventions: InterventionCounts | null;
  policy: CalibrationPolicy | null;
  previous_accuracy: number | null;
  /** The action's reviewed bands (per-action reports only): what a lowering is judged by. */
  approval_bands?: readonly ApprovalBandRow[];
  /** Rollbacks of the action whose compensation the agent completed (per-action reports only). */
  completed_rollbacks?: number;
  /** The action's latest reviews before it ran, with what was proposed and approved (per-action reports only). */
  edit_reviews?: readonly ReviewedDecision[];
  /** Reviewed decisions per band of amount above auto_approve_below_usd (per-action reports only), by amountBandEdges. */
  amount_bands?: readonly AmountBandRow[];
}): ActionReport {
  const buckets = toBuckets(input.buckets);
  const n = input.buckets.reduce((s, r) => s + r.n, 0);
  const correct = input.buckets.reduce((s, r) => s + r.correct, 0);
  const accuracy = n ? correct / n : 0;
  const wilson = wilsonLowerBound(correct, n);
  const findings: Finding[] = buckets
    .filter((b) => b.n >= FINDINGS_FROM && b.error > FINDING_ERROR)
    .map((b) => {
      const kind = b.actual < b.stated ? 'overstates' : 'understates';
      return {
        bucket: b.bucket,
        kind,
        stated: b.stated,
        actual: b.actual,
        n: b.n,
        text: `${kind} confidence at ${fmt(b.from).replace(/0$/, '')}: actual ${fmt(b.actual)} (stated ${fmt(b.stated)}, n=${b.n})`,
      };
    });
  // A rolled back post-review is an intervention; a confirmed one was reviewed and left as it was.
  const i = input.interventions;
  const reviewed = i ? i.approved_unchanged + i.edited + i.denied + i.confirmed + i.rolled_back : 0;
  const intervention = i && reviewed > 0 ? { ...i, rate: round((i.edited + i.denied + i.rolled_back) / reviewed) } : null;

  let promotion: ActionReport['promotion'] = null;
  let promotion_check: PromotionCheck | null = null;
  let demotion: ActionReport['demotion'] = null;
  const policy = input.policy;
  if (policy) {
    if (policy.promotion) {
      promotion_check = judgePromotion(policy.promotion, {
        n,
        accuracy,
        wilson_lower: wilson,
        target_accuracy: policy.target_accuracy,
        intervention: intervention && { reviewed, rate: intervention.rate },
        completed_rollbacks: input.completed_rollbacks ?? 0,
      });
      if (promotion_check.to_mode !== null && promotion_check.held_back.length === 0) {
        promotion = { from_mode: policy.mode, to_mode: promotion_check.to_mode, reason: promotion_check.met.join(', ') };
      }
    }
    if (n >= FINDINGS_FROM && accuracy < policy.target_accuracy && input.previous_accuracy !== null && accuracy < input.previous_accuracy - 0.05) {
      demotion = { reason: `accuracy fell from ${fmt(input.previous_accuracy)} to ${fmt(accuracy)} (target ${fmt(policy.target_accuracy)}, n=${n})` };
    } else if (n >= FINDINGS_FROM && accuracy < policy.target_accuracy && (policy.mode === 'autonomous' || policy.mode === 'review_after')) {
      demotion = { reason: `accuracy ${fmt(accuracy)} is below the target ${fmt(policy.target_accuracy)} for an action that runs without approval (n=${n})` };
    }
  }
  const raised = policy ? suggestThreshold(buckets, policy.auto_approve_confidence, policy.target_accuracy) : null;
  const lowering =
    policy?.lowering && raised === null && input.approval_bands
      ? suggestLowering(input.approval_bands, buckets, policy.auto_approve_confidence, policy.target_accuracy, policy.mode, policy.lowering)
      : null;
  const below = policy?.amounts?.auto_approve_below_usd ?? null;
  const widening =
    policy?.lowering && policy.amounts && below !== null && input.amount_bands
      ? suggestWidening(input.amount_bands, amountBandEdges(below, policy.amounts.always_approve_above_usd), {
          current: below,
          mode: policy.mode,
          severity: policy.lowering.severity,
          reversible: policy.lowering.reversible,
          approved_unchanged_target: policy.lowering.approved_unchanged_target,
          min_reviews: policy.lowering.min_reviews,
        })
      : null;
  const edits =
    input.edit_reviews && input.edit_reviews.length > 0
      ? analyseEdits(input.action, input.edit_reviews, policy?.edits ?? { redact: [], escalate_when: [] })
      : null;
  return {
    action: input.action,
    agent_id: input.agent_id,
    n,
    accuracy: round(accuracy),
    wilson_lower: round(wilson),
    ece: expectedCalibrationError(buckets),
    brier: n ? round(input.buckets.reduce((s, r) => s + r.sum_squared_error, 0) / n) : 0,
    buckets,
    findings,
    intervention,
    promotion,
    promotion_check,
    demotion,
    suggested_auto_approve_confidence: lowering ? lowering.to : raised,
    lowering,
    widening,
    edits,
  };
}
