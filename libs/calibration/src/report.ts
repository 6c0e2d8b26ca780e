// Calibration: when an agent says 0.9, how often is it right? The numbers of the seed:
// buckets of 0.1, judged from 10 samples, findings from 20 and an error above 0.10.

export const JUDGED_FROM = 10;
export const FINDINGS_FROM = 20;
export const FINDING_ERROR = 0.1;
export const PROMOTION_FROM = 500;
export const PROMOTION_MAX_INTERVENTION = 0.01;

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

export interface InterventionCounts {
  approved_unchanged: number;
  edited: number;
  denied: number;
}

export interface CalibrationPolicy {
  target_accuracy: number;
  mode: string;
  auto_approve_confidence: number | 'never';
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
  promotion: { from_mode: string; to_mode: string; reason: string } | null;
  demotion: { reason: string } | null;
  /** `never`: no threshold meets the target, so confidence alone should never auto-approve it. */
  suggested_auto_approve_confidence: number | 'never' | null;
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

export function buildReport(input: {
  action: string;
  agent_id: string | null;
  buckets: BucketRow[];
  interventions: InterventionCounts | null;
  policy: CalibrationPolicy | null;
  previous_accuracy: number | null;
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
  const reviewed = input.interventions ? input.interventions.approved_unchanged + input.interventions.edited + input.interventions.denied : 0;
  const intervention =
    input.interventions && reviewed > 0 ? { ...input.interventions, rate: round((input.interventions.edited + input.interventions.denied) / reviewed) } : null;

  let promotion: ActionReport['promotion'] = null;
  let demotion: ActionReport['demotion'] = null;
  const policy = input.policy;
  if (policy) {
    const next = policy.mode === 'approve_before' ? 'review_after' : policy.mode === 'review_after' ? 'autonomous' : null;
    if (next && n >= PROMOTION_FROM && wilson > policy.target_accuracy && intervention && intervention.rate < PROMOTION_MAX_INTERVENTION) {
      promotion = {
        from_mode: policy.mode,
        to_mode: next,
        reason: `${n} labeled outcomes, accuracy ${fmt(accuracy)} with a 95% lower bound of ${fmt(wilson)} above the target ${fmt(policy.target_accuracy)}, reviewers intervened in ${(intervention.rate * 100).toFixed(1)}% of ${reviewed}`,
      };
    }
    if (n >= FINDINGS_FROM && accuracy < policy.target_accuracy && input.previous_accuracy !== null && accuracy < input.previous_accuracy - 0.05) {
      demotion = { reason: `accuracy fell from ${fmt(input.previous_accuracy)} to ${fmt(accuracy)} (target ${fmt(policy.target_accuracy)}, n=${n})` };
    } else if (n >= FINDINGS_FROM && accuracy < policy.target_accuracy && (policy.mode === 'autonomous' || policy.mode === 'review_after')) {
      demotion = { reason: `accuracy ${fmt(accuracy)} is below the target ${fmt(policy.target_accuracy)} for an action that runs without approval (n=${n})` };
    }
  }
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
    demotion,
    suggested_auto_approve_confidence: policy ? suggestThreshold(buckets, policy.auto_approve_confidence, policy.target_accuracy) : null,
  };
}
