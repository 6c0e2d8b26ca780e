// Post-reviews: auto-approved actions a person reviews after they ran (review_after actions,
// every one; others sampled at post_review_sample_rate). How many were asked for, how each
// ended, and how far sampling backed off when reviewers had no capacity left.

/**
 * How post-review outcomes count, as the report says it. A person's verdict on an action
 * that ran is a label of its decision; a label sent on outcome.labeled stays authoritative
 * over it. Each decision counts once, by its effective label.
 */
export const POST_REVIEW_COUNTING =
  'Post-review outcomes count as labels: a confirmed post-review as a correct outcome of its decision, a rolled back one as an incorrect outcome and as an intervention in the intervention rate. ' +
  'An unreviewed one (its review window closed, or never queued for lack of reviewer capacity) is never a label: nobody reviewed it. ' +
  'An outcome.labeled label of the same decision stays authoritative over a post-review verdict, and each decision counts once, by its effective label.';

/** What SQL counts for one workspace and action over a window. */
export interface PostReviewCounts {
  workspace: string;
  action: string;
  /** Decisions the policy approved without a person (approval.resolved by policy, approved). */
  auto_approvals: number;
  /** Post-reviews requested (approval.requested, route post_review): the sum of the five below. */
  requested: number;
  open: number;
  reviewed: number;
  rolled_back: number;
  review_window_closed: number;
  no_review_capacity: number;
}

/** What the manifest in force says of an action. */
export interface PostReviewPolicy {
  mode: string;
  post_review_sample_rate: number;
}

/**
 * Where the configured rate comes from: `review_after` (every auto-approval is reviewed,
 * rate 1), `post_review_sample_rate` (auto-approvals of approve_before actions, sampled),
 * `never_sampled` (autonomous, log_and_alert: rate 0); null when the manifest does not list the action.
 */
export type ConfiguredRateSource = 'review_after' | 'post_review_sample_rate' | 'never_sampled';

export interface PostReviewReport {
  workspace: string;
  action: string;
  auto_approvals: number;
  post_reviews_requested: number;
  /** A reviewer confirmed it: the action stands. */
  reviewed: number;
  rolled_back: number;
  /** Queued, and nobody reviewed it within its review window. */
  unreviewed_window_closed: number;
  /** Never queued: reviewers had no capacity left after the work agents wait on (sampling backed off). */
  not_queued_no_capacity: number;
  open: number;
  /** Post-reviews that reached a reviewer's queue: requested minus not queued. */
  queued: number;
  configured_rate: number | null;
  configured_rate_source: ConfiguredRateSource | null;
  /** queued / auto_approvals; null without auto-approvals in the window. */
  effective_rate: number | null;
  /** Of the post-reviews a person ended, the share rolled back; null when none was. */
  rollback_rate: number | null;
  sampling_backed_off: boolean;
  /** In plain words: whether sampling backed off, by how much, and the rates. */
  sampling: string;
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

/** A rate as a person reads it: 0.05 → "5%", 0.016 → "1.6%", 0.0004 → "0.04%". */
export function percent(rate: number): string {
  const p = rate * 100;
  return `${p !== 0 && Math.abs(p) < 1 ? Number(p.toPrecision(2)) : Math.round(p * 10) / 10}%`;
}

/** The rate the manifest asks for, and why. */
export function configuredRate(policy: PostReviewPolicy | null): { rate: number | null; source: ConfiguredRateSource | null } {
  if (!policy) return { rate: null, source: null };
  if (policy.mode === 'review_after') return { rate: 1, source: 'review_after' };
  if (policy.mode === 'approve_before') return { rate: policy.post_review_sample_rate, source: 'post_review_sample_rate' };
  return { rate: 0, source: 'never_sampled' };
}

function samplingSentence(r: Omit<PostReviewReport, 'sampling'>): string {
  const effective =
    r.effective_rate === null ? 'effective rate unknown, no auto-approvals by policy in the window' : `effective rate ${percent(r.effective_rate)}`;
  const configured = r.configured_rate === null ? `the manifest in force does not list ${r.action}` : `configured ${percent(r.configured_rate)}`;
  if (r.sampling_backed_off) {
    const instead = r.effective_rate !== null && r.configured_rate !== null ? ` instead of ${percent(r.configured_rate)}` : ` (${configured})`;
    return `sampling backed off: ${r.not_queued_no_capacity} of ${r.post_reviews_requested} sampled post-reviews were not queued, reviewers had no capacity left; ${effective}${instead}`;
  }
  if (r.post_reviews_requested === 0) return `no post-reviews sampled in the window; ${effective} (${configured})`;
  return `sampling did not back off: every sampled post-review was queued; ${effective} (${configured})`;
}

/** One workspace and action's post-reviews, judged against the manifest in force (null: it does not list the action). */
export function buildPostReviewReport(counts: PostReviewCounts, policy: PostReviewPolicy | null): PostReviewReport {
  const { rate, source } = configuredRate(policy);
  const queued = counts.requested - counts.no_review_capacity;
  const ended = counts.reviewed + counts.rolled_back;
  const report: Omit<PostReviewReport, 'sampling'> = {
    workspace: counts.workspace,
    action: counts.action,
    auto_approvals: counts.auto_approvals,
    post_reviews_requested: counts.requested,
    reviewed: counts.reviewed,
    rolled_back: counts.rolled_back,
    unreviewed_window_closed: counts.review_window_closed,
    not_queued_no_capacity: counts.no_review_capacity,
    open: counts.open,
    queued,
    configured_rate: rate,
    configured_rate_source: source,
    effective_rate: counts.auto_approvals > 0 ? round(queued / counts.auto_approvals) : null,
    rollback_rate: ended > 0 ? round(counts.rolled_back / ended) : null,
    sampling_backed_off: counts.no_review_capacity > 0,
  };
  return { ...report, sampling: samplingSentence(report) };
}

/** The report's section on post-reviews, in Markdown. */
export function postReviewMarkdown(reports: readonly PostReviewReport[], unattributed: number): string[] {
  const lines = ['## Post-reviews (actions that ran, reviewed after the fact)', ''];
  if (reports.length === 0) lines.push('No post-reviews in the window.', '');
  else {
    const rate = (x: number | null) => (x === null ? '-' : percent(x));
    lines.push(
      '| workspace | action | auto-approvals | post-reviews | reviewed | rolled back | unreviewed: window closed | not queued: no capacity | open | configured rate | effective rate |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...reports.map(
        (r) =>
          `| ${r.workspace} | ${r.action} | ${r.auto_approvals} | ${r.post_reviews_requested} | ${r.reviewed} | ${r.rolled_back} | ${r.unreviewed_window_closed} | ${r.not_queued_no_capacity} | ${r.open} | ${rate(r.configured_rate)} | ${rate(r.effective_rate)} |`,
      ),
      '',
      ...reports.map((r) => `- ${r.workspace}, ${r.action}: ${r.sampling}.`),
      '',
    );
  }
  if (unattributed > 0)
    lines.push(
      `${unattributed === 1 ? '1 post-review ended for an approval' : `${unattributed} post-reviews ended for approvals`} whose request and decision this service has not seen: kept, and counted once they arrive.`,
      '',
    );
  lines.push(POST_REVIEW_COUNTING, '');
  return lines;
}
