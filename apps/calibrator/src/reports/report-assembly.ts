// From SQL aggregates to per-action (and per-agent) reports. Pure: the lib does the math.
import {
  ActionReport,
  AmountBandRow,
  ApprovalBandRow,
  BucketRow,
  CalibrationPolicy,
  FINDINGS_FROM,
  InterventionCounts,
  PostReviewCounts,
  PostReviewPolicy,
  PostReviewReport,
  buildPostReviewReport,
  ReviewedDecision,
  buildReport,
} from '@hitl/calibration';

/** Agents get their own report from this many labeled outcomes of an action. */
export const PER_AGENT_FROM = 50;

/** One bucket's sums, for an action (`per_agent` false) or one of its agents. */
export interface AggregateRow extends BucketRow {
  per_agent: boolean;
}

export interface InterventionRow extends InterventionCounts {
  action: string;
  agent_id: string | null;
  per_agent: boolean;
}

export interface AccuracyRow {
  action: string;
  n: number;
  correct: number;
}

export interface Aggregates {
  buckets: AggregateRow[];
  interventions: InterventionRow[];
  /** The window before this one, for demotion alerts. */
  previous: AccuracyRow[];
  /** Decisions reviewed before they ran, per action and bucket: what lowering a threshold is judged by. */
  bands?: ApprovalBandRow[];
  /** Per action, rollbacks whose compensation the agent completed: one of promotion's conditions. */
  completed_rollbacks?: ReadonlyMap<string, number>;
  /** The latest reviews before the actions ran, with what was proposed and approved: what edit analysis reads. */
  edit_reviews?: readonly (ReviewedDecision & { action: string })[];
  /** Reviewed decisions per band of amount above each action's auto_approve_below_usd. */
  amount_bands?: readonly AmountBandRow[];
}

/**
 * One report per action, sorted by name, each followed by a report per agent that has
 * at least PER_AGENT_FROM labeled outcomes (unless it is the action's only agent: that
 * report would repeat the action's). The previous window counts from FINDINGS_FROM outcomes.
 * An action without labeled outcomes is reported only when reviewers' work is evidence of
 * something: its reviewed bands suggest lowering its threshold or widening its amount limit,
 * or reviewers edited its parameters.
 */
export function assembleReports(aggregates: Aggregates, policyOf: (action: string) => CalibrationPolicy | null): ActionReport[] {
  const bands = aggregates.bands ?? [];
  const labeled = new Set(aggregates.buckets.map((b) => b.action));
  const edits = aggregates.edit_reviews ?? [];
  const amountBands = aggregates.amount_bands ?? [];
  const actions = [...new Set([...labeled, ...bands.map((b) => b.action), ...edits.map((e) => e.action), ...amountBands.map((b) => b.action)])].sort();
  const interventionsOf = (action: string, agent: string | null): InterventionCounts | null => {
    const row = aggregates.interventions.find((i) => i.action === action && i.per_agent === (agent !== null) && i.agent_id === agent);
    return row
      ? { approved_unchanged: row.approved_unchanged, edited: row.edited, denied: row.denied, confirmed: row.confirmed, rolled_back: row.rolled_back }
      : null;
  };
  const reports: ActionReport[] = [];
  for (const action of actions) {
    const policy = policyOf(action);
    const rows = aggregates.buckets.filter((b) => b.action === action);
    const previous = aggregates.previous.find((p) => p.action === action);
    const own = rows.filter((r) => !r.per_agent);
    const report = buildReport({
      action,
      agent_id: null,
      buckets: own.map(bucketRow),
      interventions: interventionsOf(action, null),
      policy,
      previous_accuracy: previous && previous.n >= FINDINGS_FROM ? previous.correct / previous.n : null,
      approval_bands: bands.filter((b) => b.action === action),
      completed_rollbacks: aggregates.completed_rollbacks?.get(action) ?? 0,
      edit_reviews: edits.filter((e) => e.action === action),
      amount_bands: amountBands.filter((b) => b.action === action),
    });
    if (!labeled.has(action) && !report.lowering && !report.widening && !(report.edits && report.edits.edited > 0)) continue;
    reports.push(report);
    const total = sum(own);
    const agents = [...new Set(rows.filter((r) => r.per_agent && r.agent_id !== null).map((r) => r.agent_id as string))].sort();
    for (const agent of agents) {
      const agentRows = rows.filter((r) => r.per_agent && r.agent_id === agent);
      const n = sum(agentRows);
      if (n < PER_AGENT_FROM || n === total) continue;
      reports.push(
        buildReport({
          action,
          agent_id: agent,
          buckets: agentRows.map(bucketRow),
          interventions: interventionsOf(action, agent),
          policy,
          previous_accuracy: null,
        }),
      );
    }
  }
  return reports;
}

const sum = (rows: AggregateRow[]) => rows.reduce((s, r) => s + r.n, 0);

function bucketRow({ per_agent: _perAgent, ...row }: AggregateRow): BucketRow {
  return row;
}

/**
 * One post-review report per workspace and action, each judged by its workspace's manifest,
 * in workspace and action order. An action with auto-approvals that is never reviewed after
 * the fact (autonomous, a sample rate of 0, or unknown to the manifest) and had no post-review
 * is left out: nothing was asked of reviewers.
 */
export function assemblePostReviews(
  counts: readonly PostReviewCounts[],
  policyOf: (workspace: string, action: string) => PostReviewPolicy | null,
): PostReviewReport[] {
  return counts
    .map((c) => buildPostReviewReport(c, policyOf(c.workspace, c.action)))
    .filter((r) => r.post_reviews_requested > 0 || (r.configured_rate ?? 0) > 0)
    .sort((a, b) => byName(a.workspace, b.workspace) || byName(a.action, b.action));
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
