// Review quality: how each reviewer decides, per action and overall. How often they
// approve and edit, how long they take from opening an item to deciding it, whether later
// outcome labels agree with them, how they score on canaries (known-answer items), and
// whether they look like a rubber stamp: approving nearly everything faster than a person
// could read it. Pure: rows in, the report's section out.
import { percent } from './post-reviews';

/** How a reviewer decided an approval before it ran. */
export type ReviewVerdict = 'approved' | 'edited' | 'denied';

/** One decision a reviewer made, as SQL reads it. */
export interface ReviewedItem {
  reviewer_id: string;
  action: string;
  verdict: ReviewVerdict;
  /** When this reviewer first opened it (GET /approvals/:id); null: decided without opening it. */
  opened_at: string | null;
  decided_at: string;
  /** The decision's effective outcome label: true correct, false incorrect; null: not labeled. */
  correct: boolean | null;
  /** Characters there were to read: the agent's summary and the parameters (what the rendering shows). */
  read_chars: number;
}

/** One canary (a known-answer item mixed into a queue) and how it was scored. */
export interface CanaryItem {
  reviewer_id: string;
  action: string;
  /** true: answered as expected; false: answered otherwise; null: missed (timed out unanswered). */
  correct: boolean | null;
}

/** What flags a rubber stamp. */
export interface ReviewQualityPolicy {
  /** Fewer decisions than this say nothing either way. */
  min_decisions: number;
  /** Approved unchanged at least at this rate… */
  approval_rate: number;
  /** …and, from opening to deciding, under what reading needs: at least this floor in seconds… */
  floor_seconds: number;
  /** …plus the item's characters at this reading speed (about 250 words a minute). */
  chars_per_second: number;
  /** …or decided more than this share of items without opening them at all. */
  unopened_share: number;
}

export const REVIEW_QUALITY_POLICY: ReviewQualityPolicy = {
  min_decisions: 20,
  approval_rate: 0.97,
  floor_seconds: 3,
  chars_per_second: 25,
  unopened_share: 0.5,
};

/** Whether later outcome labels agree with the reviewer. */
export interface Agreement {
  /** The reviewer's approvals and denials whose decision was labeled later. */
  labeled: number;
  agreed: number;
  /** agreed / labeled; null without labels. */
  rate: number | null;
}

export interface CanaryScore {
  /** Canaries answered (approve, edit or deny). */
  answered: number;
  /** Answered as expected. */
  correct: number;
  /** Left to time out. */
  missed: number;
  /** correct / answered; null when none was answered. */
  score: number | null;
}

/** One reviewer's review quality, over one action or (`action` null) all of them. */
export interface ReviewQualityRow {
  reviewer_id: string;
  action: string | null;
  decided: number;
  approved: number;
  edited: number;
  denied: number;
  /** Approvals (edited ones included: the action ran) over decisions; null without decisions. */
  approval_rate: number | null;
  edit_rate: number | null;
  /** Median seconds from first opening to deciding, over the decisions they opened first. */
  median_seconds_to_decide: number | null;
  /** Median seconds a person needs to read those items (floor plus reading speed). */
  median_seconds_to_read: number | null;
  decided_without_opening: number;
  agreement: Agreement;
  canaries: CanaryScore;
  rubber_stamp: boolean;
  /** Why it is (or why it is not) flagged, in words. */
  reason: string;
}

export interface ReviewQualitySection {
  /** How it is counted and what flags a rubber stamp, in words. */
  counting: string;
  policy: ReviewQualityPolicy;
  /** Per reviewer over every action, reviewers in name order. */
  reviewers: ReviewQualityRow[];
  /** Per reviewer and action. */
  by_action: ReviewQualityRow[];
  /** The reviewers flagged as rubber stamps. */
  flagged: string[];
}

export function reviewQualityCounting(policy: ReviewQualityPolicy = REVIEW_QUALITY_POLICY): string {
  return (
    `Per reviewer, the decisions they made before the action ran (approve, edit, deny). Time to decide runs from their first opening of the item to their decision; ` +
    `items decided without opening are counted apart. Agreement with later outcome labels: an approval (edited or not) labeled correct agrees, labeled incorrect disagrees; ` +
    `a denial labeled incorrect agrees (the proposal was wrong), labeled correct disagrees. Canaries are known-answer items never executed nor calibrated: scored correct/answered, timed-out ones missed. ` +
    `A rubber stamp: at least ${policy.min_decisions} decisions, at least ${percent(policy.approval_rate)} approved unchanged, and either a median time to decide under what reading the items needs ` +
    `(${policy.floor_seconds} s plus ${policy.chars_per_second} characters a second of the agent's summary and parameters) or more than ${percent(policy.unopened_share)} decided without opening.`
  );
}

/** The median; null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Seconds a person needs to read an item of `chars` characters. */
export function secondsToRead(chars: number, policy: ReviewQualityPolicy = REVIEW_QUALITY_POLICY): number {
  return policy.floor_seconds + Math.max(0, chars) / policy.chars_per_second;
}

/** Whether a later label agrees with the verdict: null when it says nothing (not labeled). */
export function agrees(verdict: ReviewVerdict, correct: boolean | null): boolean | null {
  if (correct === null) return null;
  return verdict === 'denied' ? !correct : correct;
}

const round = (n: number | null, digits = 3) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);
const seconds = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} s`;

/** One reviewer's row over `items` (one action, or all of theirs). */
export function reviewQualityRow(
  reviewerId: string,
  action: string | null,
  items: readonly ReviewedItem[],
  canaries: readonly CanaryItem[],
  policy: ReviewQualityPolicy = REVIEW_QUALITY_POLICY,
): ReviewQualityRow {
  const count = (verdict: ReviewVerdict) => items.filter((i) => i.verdict === verdict).length;
  const [approved, edited, denied] = [count('approved'), count('edited'), count('denied')];
  const decided = items.length;
  // Opened before deciding: a clock that ran backwards (an opening after the decision) is no opening.
  const opened = items.filter((i) => i.opened_at !== null && Date.parse(i.opened_at) <= Date.parse(i.decided_at));
  const toDecide = median(opened.map((i) => (Date.parse(i.decided_at) - Date.parse(i.opened_at as string)) / 1000));
  const toRead = median(opened.map((i) => secondsToRead(i.read_chars, policy)));
  const withoutOpening = decided - opened.length;
  const verdicts = items.map((i) => agrees(i.verdict, i.correct)).filter((a): a is boolean => a !== null);
  const agreed = verdicts.filter(Boolean).length;
  const answered = canaries.filter((c) => c.correct !== null);
  const canaryCorrect = answered.filter((c) => c.correct).length;
  const row: Omit<ReviewQualityRow, 'rubber_stamp' | 'reason'> = {
    reviewer_id: reviewerId,
    action,
    decided,
    approved,
    edited,
    denied,
    approval_rate: decided === 0 ? null : round((approved + edited) / decided),
    edit_rate: decided === 0 ? null : round(edited / decided),
    median_seconds_to_decide: round(toDecide, 2),
    median_seconds_to_read: round(toRead, 2),
    decided_without_opening: withoutOpening,
    agreement: { labeled: verdicts.length, agreed, rate: verdicts.length === 0 ? null : round(agreed / verdicts.length) },
    canaries: {
      answered: answered.length,
      correct: canaryCorrect,
      missed: canaries.length - answered.length,
      score: answered.length === 0 ? null : round(canaryCorrect / answered.length),
    },
  };
  return { ...row, ...rubberStamp(row, toDecide, toRead, policy) };
}

/** The flag and its reason, in words. */
function rubberStamp(
  row: Pick<ReviewQualityRow, 'decided' | 'approved' | 'decided_without_opening'>,
  toDecide: number | null,
  toRead: number | null,
  policy: ReviewQualityPolicy,
): { rubber_stamp: boolean; reason: string } {
  if (row.decided < policy.min_decisions)
    return { rubber_stamp: false, reason: `${row.decided} decisions, under the ${policy.min_decisions} that say anything either way` };
  const unchanged = row.approved / row.decided;
  const approves = `approved ${percent(unchanged)} unchanged (${row.approved} of ${row.decided})`;
  if (unchanged < policy.approval_rate) return { rubber_stamp: false, reason: `${approves}: under ${percent(policy.approval_rate)}` };
  const unopened = row.decided_without_opening / row.decided;
  if (unopened > policy.unopened_share)
    return { rubber_stamp: true, reason: `${approves}, ${row.decided_without_opening} of them decided without opening the item` };
  if (toDecide !== null && toRead !== null && toDecide < toRead)
    return {
      rubber_stamp: true,
      reason: `${approves}, deciding a median ${seconds(toDecide)} after opening, faster than the ${seconds(toRead)} a person needs to read these items`,
    };
  return {
    rubber_stamp: false,
    reason: `${approves}, but taking a median ${toDecide === null ? 'unknown time' : seconds(toDecide)} to decide, time enough to read (${toRead === null ? 'unknown' : seconds(toRead)})`,
  };
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The review-quality section: per reviewer over every action, and per reviewer and action. */
export function reviewQuality(
  items: readonly ReviewedItem[],
  canaries: readonly CanaryItem[] = [],
  policy: ReviewQualityPolicy = REVIEW_QUALITY_POLICY,
): ReviewQualitySection {
  const reviewerIds = [...new Set([...items.map((i) => i.reviewer_id), ...canaries.map((c) => c.reviewer_id)])].sort(byName);
  const reviewers = reviewerIds.map((id) =>
    reviewQualityRow(
      id,
      null,
      items.filter((i) => i.reviewer_id === id),
      canaries.filter((c) => c.reviewer_id === id),
      policy,
    ),
  );
  const by_action = reviewerIds.flatMap((id) => {
    const actions = [...new Set([...items, ...canaries].filter((i) => i.reviewer_id === id).map((i) => i.action))].sort(byName);
    return actions.map((action) =>
      reviewQualityRow(
        id,
        action,
        items.filter((i) => i.reviewer_id === id && i.action === action),
        canaries.filter((c) => c.reviewer_id === id && c.action === action),
        policy,
      ),
    );
  });
  return { counting: reviewQualityCounting(policy), policy, reviewers, by_action, flagged: reviewers.filter((r) => r.rubber_stamp).map((r) => r.reviewer_id) };
}

const rate = (n: number | null) => (n === null ? '–' : percent(n));

/** The section as Markdown lines (a heading, a table per reviewer, the flags), or none when no reviewer decided anything. */
export function reviewQualityMarkdown(section: ReviewQualitySection): string[] {
  if (section.reviewers.length === 0) return [];
  const line = (r: ReviewQualityRow) =>
    `| ${r.reviewer_id}${r.action === null ? '' : ` / ${r.action}`} | ${r.decided} | ${rate(r.approval_rate)} | ${rate(r.edit_rate)} | ${r.median_seconds_to_decide === null ? '–' : seconds(r.median_seconds_to_decide)} | ${r.decided_without_opening} | ${r.agreement.rate === null ? '–' : `${percent(r.agreement.rate)} of ${r.agreement.labeled}`} | ${r.canaries.score === null ? (r.canaries.missed > 0 ? `– (${r.canaries.missed} missed)` : '–') : `${r.canaries.correct}/${r.canaries.answered}${r.canaries.missed > 0 ? `, ${r.canaries.missed} missed` : ''}`} | ${r.rubber_stamp ? '**rubber stamp**' : ''} |`;
  return [
    '## Review quality',
    '',
    section.counting,
    '',
    '| reviewer | decided | approved | edited | median to decide | unopened | agrees with labels | canaries | flag |',
    '|---|---|---|---|---|---|---|---|---|',
    ...section.reviewers.map(line),
    ...section.by_action.map(line),
    '',
    ...section.reviewers.map((r) => `- ${r.rubber_stamp ? '**Rubber stamp:** ' : ''}${r.reviewer_id}: ${r.reason}.`),
    '',
  ];
}
