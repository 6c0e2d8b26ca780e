// Probation (seed 002: the first use of a new tool needs a human "until evals prove
// reliability"). What of an action's manifest entry decides how much it may do alone, whether
// a new entry widens that, and when a probation has earned its end. Pure.
import { canonicalJson } from '@hitl/contracts';
import { ResolvedAction } from './manifest';
import { Mode } from './manifest.schema';

/** The settings of an action that say how much it may do without a person, as the router keeps them between manifests. */
export interface AutonomyProfile {
  mode: Mode;
  auto_approve_confidence: number | 'never';
  escalate_confidence: number;
  auto_approve_below_usd: number | null;
  always_approve_above_usd: number | null;
  /** Each rule as canonical JSON, sorted. */
  escalate_when: string[];
  max_uncertainty_factors: number;
  required_approvals: number;
  on_timeout: string;
  post_review_sample_rate: number;
}

export function autonomyProfile(action: ResolvedAction): AutonomyProfile {
  return {
    mode: action.mode,
    auto_approve_confidence: action.autoApproveConfidence,
    escalate_confidence: action.escalateConfidence,
    auto_approve_below_usd: action.autoApproveBelowUsd,
    always_approve_above_usd: action.alwaysApproveAboveUsd,
    escalate_when: action.escalateWhen.map((rule) => canonicalJson(rule)).sort(),
    max_uncertainty_factors: action.maxUncertaintyFactors,
    required_approvals: action.requiredApprovals,
    on_timeout: action.onTimeout,
    post_review_sample_rate: action.postReviewSampleRate,
  };
}

/** Less oversight, in order: approved before, reviewed after, run with an alert, run alone. */
const MODE_RANK: Record<Mode, number> = { approve_before: 0, review_after: 1, log_and_alert: 2, autonomous: 3 };

const threshold = (x: number | 'never') => (x === 'never' ? Infinity : x);

/**
 * How the new entry lets the action do more without a person than the old one, in words;
 * empty when it does not (a narrower or unchanged entry is never a reason for probation).
 */
export function autonomyWidening(before: AutonomyProfile, after: AutonomyProfile): string[] {
  const widened: string[] = [];
  if (MODE_RANK[after.mode] > MODE_RANK[before.mode]) widened.push(`mode ${before.mode} → ${after.mode}`);
  if (threshold(after.auto_approve_confidence) < threshold(before.auto_approve_confidence))
    widened.push(`auto_approve_confidence ${before.auto_approve_confidence} → ${after.auto_approve_confidence}`);
  if (after.escalate_confidence < before.escalate_confidence) widened.push(`escalate_confidence ${before.escalate_confidence} → ${after.escalate_confidence}`);
  if ((after.auto_approve_below_usd ?? 0) > (before.auto_approve_below_usd ?? 0))
    widened.push(`auto_approve_below_usd ${before.auto_approve_below_usd ?? 'none'} → ${after.auto_approve_below_usd}`);
  if ((after.always_approve_above_usd ?? Infinity) > (before.always_approve_above_usd ?? Infinity))
    widened.push(`always_approve_above_usd ${before.always_approve_above_usd} → ${after.always_approve_above_usd ?? 'none'}`);
  const dropped = before.escalate_when.filter((rule) => !after.escalate_when.includes(rule));
  if (dropped.length > 0) widened.push(`escalate_when rule${dropped.length === 1 ? '' : 's'} removed: ${dropped.join(', ')}`);
  if (after.max_uncertainty_factors > before.max_uncertainty_factors)
    widened.push(`max_uncertainty_factors ${before.max_uncertainty_factors} → ${after.max_uncertainty_factors}`);
  if (after.required_approvals < before.required_approvals) widened.push(`required_approvals ${before.required_approvals} → ${after.required_approvals}`);
  if (after.on_timeout === 'approve' && before.on_timeout !== 'approve') widened.push(`on_timeout ${before.on_timeout} → approve`);
  if (after.post_review_sample_rate < before.post_review_sample_rate)
    widened.push(`post_review_sample_rate ${before.post_review_sample_rate} → ${after.post_review_sample_rate}`);
  return widened;
}

/** Why an action of a manifest goes on probation, or null: new to the workspace, or widened. */
export function probationReason(before: AutonomyProfile | null, after: AutonomyProfile, workspace: string): string | null {
  if (before === null) return `new to the manifest of ${workspace}`;
  const widened = autonomyWidening(before, after);
  return widened.length > 0 ? `its manifest entry widened its autonomy: ${widened.join('; ')}` : null;
}

/** A probation in force, as routing needs it. */
export interface ActiveProbation {
  id: string;
  reason: string;
  /** Reviewed decisions it needs, and the least share of them approved unchanged. */
  decisions: number;
  approved_unchanged_rate: number;
  /** So far: decisions reviewed during it, and approved unchanged. */
  reviewed: number;
  approved_unchanged: number;
}

/** Graduated: enough reviewed decisions, approved unchanged at the rate or better. */
export function graduates(p: Pick<ActiveProbation, 'decisions' | 'approved_unchanged_rate' | 'reviewed' | 'approved_unchanged'>): boolean {
  return p.reviewed >= p.decisions && p.approved_unchanged >= p.decisions && p.approved_unchanged / p.reviewed >= p.approved_unchanged_rate - 1e-9;
}
