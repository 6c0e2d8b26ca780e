// Widening auto_approve_below_usd: where reviewers approve unchanged nearly every decision just
// above the limit, asking them adds nothing. The amount counterpart of `suggestLowering`.
import { pct, wilsonLowerBound } from './report';

/** How far above the current limit the bands reach: the next band starts where the last one ends. */
const BAND_MULTIPLIERS = [1, 1.25, 1.5, 2, 3, 5, 10];

const cents = (x: number) => Math.round(x * 100) / 100;

/** `$50`, `$62.50`, `$1,250`: cents only when there are any. */
export function formatUsd(x: number): string {
  const [whole, fraction] = (Number.isInteger(cents(x)) ? cents(x).toFixed(0) : cents(x).toFixed(2)).split('.');
  return `$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
}

/**
 * Edges of the amount bands above the current limit: current × [1, 1.25, 1.5, 2, 3, 5, 10],
 * capped below always_approve_above_usd (an edge at or above it is dropped; the cap itself
 * becomes the last edge, as auto-approval may never reach past it). current 0 or absent: no
 * bands (nothing to widen from); a cap at or below the current limit: no bands either.
 */
export function amountBandEdges(current: number, always_above: number | null): number[] {
  if (!(current > 0)) return [];
  if (always_above !== null && always_above <= current) return [];
  const edges = BAND_MULTIPLIERS.map((m) => cents(current * m));
  if (always_above === null) return edges;
  const below = edges.filter((e) => e < always_above);
  // A cap beyond the last edge leaves the bands as they are: one band up to it would be too wide to judge as one.
  return below.length < edges.length ? [...below, always_above] : below;
}

/** What SQL counts per action and amount band of the decisions reviewed before they ran. */
export interface AmountBandRow {
  action: string;
  /** index into the edges: band k is [edges[k], edges[k+1]) */
  band: number;
  reviewed: number;
  approved_unchanged: number;
}

/** A suggestion to auto-approve below a higher amount, with its evidence. */
export interface AmountWidening {
  from: number;
  to: number;
  reason: string;
}

export interface WideningPolicy {
  /** The action's auto_approve_below_usd. */
  current: number;
  mode: string;
  severity: string;
  reversible: boolean;
  /** The share of reviewed decisions of a band approved unchanged from which it may be auto-approved. */
  approved_unchanged_target: number;
  /** Reviewed decisions a band needs before it is judged for widening. */
  min_reviews: number;
}

/**
 * Widening auto_approve_below_usd to the upper edge of a band auto-approves every band from
 * the current limit up to it: each must have been approved unchanged at the target rate over
 * at least min_reviews reviews, from the band just above the limit upward, stopping at the
 * first that falls short. Only approve_before actions (others are not reviewed before they
 * run). An irreversible high or critical action asks more: the 95% lower bound of the rate,
 * not the rate, must reach the target. null: no widening. Rows are one action's.
 */
export function suggestWidening(bands: readonly AmountBandRow[], edges: readonly number[], policy: WideningPolicy): AmountWidening | null {
  if (policy.mode !== 'approve_before' || edges.length < 2) return null;
  const strict = !policy.reversible && (policy.severity === 'high' || policy.severity === 'critical');
  const holds = (b: AmountBandRow | undefined): b is AmountBandRow =>
    b !== undefined &&
    b.reviewed >= policy.min_reviews &&
    (strict ? wilsonLowerBound(b.approved_unchanged, b.reviewed) : b.approved_unchanged / b.reviewed) >= policy.approved_unchanged_target;
  const evidence: AmountBandRow[] = [];
  let to: number | null = null;
  for (let k = 0; k < edges.length - 1; k++) {
    const band = bands.find((b) => b.band === k);
    if (!holds(band)) break;
    evidence.push(band);
    to = edges[k + 1];
  }
  if (to === null) return null;
  const bandsText = evidence
    .map(
      (b) =>
        `${formatUsd(edges[b.band])}-${formatUsd(edges[b.band + 1])}: ${b.approved_unchanged} of ${b.reviewed} (${pct(b.approved_unchanged / b.reviewed)})`,
    )
    .join('; ');
  const bar = strict
    ? `the 95% lower bound of each rate at least ${pct(policy.approved_unchanged_target)} (irreversible, ${policy.severity} severity)`
    : `each at least ${pct(policy.approved_unchanged_target)}`;
  return {
    from: policy.current,
    to,
    reason: `reviewers approved unchanged ${bandsText}, ${bar}, over ${policy.min_reviews}+ reviews each`,
  };
}
