// A report as it is stored and served: the JSON body, the Markdown, the manifest patch
// and one reliability diagram per action. Pure: the lib renders, this composes.
import {
  ActionReport,
  Finding,
  POST_REVIEW_COUNTING,
  PostReviewReport,
  ProbationFacts,
  ProbationSection,
  ReviewQualitySection,
  SuggestedChange,
  postReviewMarkdown,
  probationMarkdown,
  probationSection,
  reliabilitySvg,
  reportMarkdown,
  reviewQualityMarkdown,
  suggestionsPatch,
} from '@hitl/calibration';

export type ReportTrigger = 'schedule' | 'request';

export interface ReportLinks {
  self: string;
  markdown: string;
  patch: string;
  /** One reliability diagram per action. */
  diagrams: Record<string, string>;
}

/** The JSON body of a report (GET /reports/:id). */
export interface CalibrationReport {
  id: string;
  generated_at: string;
  trigger: ReportTrigger;
  requested_by: string | null;
  /** null: every workspace. */
  workspace: string | null;
  window: { days: number; since: string; until: string };
  manifest: { path: string; version: string };
  target_accuracy: number;
  /** What lowering a threshold asks of a band's decisions reviewed before they ran. */
  lowering: { approved_unchanged_target: number; min_reviews: number };
  /** Decisions in the window with a label, each counted once (its effective label: its latest, else its post-review's verdict). */
  labeled_outcomes: number;
  /** Decisions labeled in the window that this service has not seen: kept, and counted here. */
  unknown_outcomes: number;
  /** Labels in the window replaced by a later label of the same decision (a decision counts once). */
  superseded_labels: number;
  findings: (Finding & { action: string; agent_id: string | null })[];
  suggestions: SuggestedChange[];
  reports: ActionReport[];
  /** Auto-approved actions reviewed after they ran: how each post-review ended, and how far sampling backed off. */
  post_reviews: PostReviewSection;
  /**
   * Actions on probation (every decision to a person until enough reviewed decisions were
   * approved unchanged), for the report's workspace scope: active now whatever their start,
   * and those graduated (with the evidence) or ended early in the window.
   */
  probations: ProbationSection;
  /**
   * Per reviewer (and action): approval and edit rates, time from opening to deciding,
   * agreement with later labels, canary scores, and who looks like a rubber stamp.
   */
  review_quality: ReviewQualitySection;
  links: ReportLinks;
}

export interface PostReviewSection {
  /** How post-review outcomes count (confirmed: correct, rolled back: incorrect and an intervention; unreviewed: no label; a label outranks them). */
  counting: string;
  /** Post-reviews that ended for approvals whose request and decision this service has not seen. */
  unattributed: number;
  /** Per workspace and action. */
  actions: PostReviewReport[];
}

export interface StoredReport {
  body: CalibrationReport;
  markdown: string;
  patch: string;
  svgs: Record<string, string>;
}

export interface ReportFacts {
  id: string;
  generatedAt: Date;
  trigger: ReportTrigger;
  requestedBy: string | null;
  workspace: string | null;
  windowDays: number;
  since: Date;
  /** The manifest in force, and the text of its file (what a suggestion patches); null when unreadable. */
  manifest: { path: string; version: string; text: string | null };
  targetAccuracy: number;
  lowering: { approvedUnchangedTarget: number; minReviews: number };
  unknownOutcomes: number;
  supersededLabels: number;
  reports: ActionReport[];
  postReviews: { actions: PostReviewReport[]; unattributed: number };
  /** Probations active now, or started, graduated or ended in the window. */
  probations: ProbationFacts[];
  reviewQuality: ReviewQualitySection;
}

export function reportLinks(id: string, actions: readonly string[]): ReportLinks {
  return {
    self: `/reports/${id}`,
    markdown: `/reports/${id}.md`,
    patch: `/reports/${id}/suggestions.patch`,
    diagrams: Object.fromEntries(actions.map((a) => [a, `/reports/${id}/diagram/${encodeURIComponent(a)}.svg`])),
  };
}

export function reportDocument(facts: ReportFacts): StoredReport {
  const generatedAt = facts.generatedAt.toISOString();
  const label = `of ${generatedAt.slice(0, 10)} (${facts.windowDays}d, report ${facts.id.slice(0, 8)})`;
  const { patch, changes } =
    facts.manifest.text === null ? { patch: '', changes: [] } : suggestionsPatch(facts.manifest.path, facts.manifest.text, facts.reports, label);
  const perAction = facts.reports.filter((r) => r.agent_id === null);
  const links = reportLinks(
    facts.id,
    perAction.map((r) => r.action),
  );
  const body: CalibrationReport = {
    id: facts.id,
    generated_at: generatedAt,
    trigger: facts.trigger,
    requested_by: facts.requestedBy,
    workspace: facts.workspace,
    window: { days: facts.windowDays, since: facts.since.toISOString(), until: generatedAt },
    manifest: { path: facts.manifest.path, version: facts.manifest.version },
    target_accuracy: facts.targetAccuracy,
    lowering: { approved_unchanged_target: facts.lowering.approvedUnchangedTarget, min_reviews: facts.lowering.minReviews },
    labeled_outcomes: perAction.reduce((s, r) => s + r.n, 0),
    unknown_outcomes: facts.unknownOutcomes,
    superseded_labels: facts.supersededLabels,
    findings: facts.reports.flatMap((r) => r.findings.map((f) => ({ action: r.action, agent_id: r.agent_id, ...f }))),
    suggestions: changes,
    reports: facts.reports,
    post_reviews: { counting: POST_REVIEW_COUNTING, unattributed: facts.postReviews.unattributed, actions: facts.postReviews.actions },
    probations: probationSection(facts.probations, facts.workspace === null),
    review_quality: facts.reviewQuality,
    links,
  };
  const markdown = [
    reportMarkdown(facts.reports, { window_days: facts.windowDays, generated_at: generatedAt, patch, unknown_outcomes: facts.unknownOutcomes }).trimEnd(),
    '',
    ...postReviewMarkdown(facts.postReviews.actions, facts.postReviews.unattributed),
    ...probationMarkdown(body.probations),
    ...reviewQualityMarkdown(body.review_quality),
    '## About this report',
    '',
    `- Scope: ${facts.workspace === null ? 'every workspace' : `workspace ${facts.workspace}`}; ${facts.trigger === 'schedule' ? 'scheduled' : `requested by ${facts.requestedBy ?? 'someone'}`}.`,
    `- Manifest: ${facts.manifest.path} (${facts.manifest.version}); target accuracy ${facts.targetAccuracy}.`,
    `- ${body.labeled_outcomes} labeled outcomes, each decision counted once by its effective label (its latest outcome.labeled label, else its post-review's verdict: confirmed correct, rolled back incorrect; ${facts.supersededLabels} later labels replaced earlier ones); ${facts.unknownOutcomes} for unknown decisions.`,
    `- Thresholds are raised where labeled accuracy falls short of ${facts.targetAccuracy}, and lowered (approve_before actions, never below escalate_confidence) where every band down to the new threshold was approved unchanged by reviewers before it ran in at least ${facts.lowering.approvedUnchangedTarget * 100}% of at least ${facts.lowering.minReviews} reviews (for an irreversible high or critical action, the 95% lower bound of that rate), with no band's labeled accuracy short of the target.`,
    facts.manifest.text === null
      ? '- The manifest file could not be read: no suggestions.'
      : `- Suggestions: ${links.patch} (apply with \`git apply\` after review; the service never applies them).`,
    ...perAction.map((r) => `- Reliability diagram of ${r.action}: ${links.diagrams[r.action]}`),
    '',
  ].join('\n');
  const svgs = Object.fromEntries(perAction.map((r) => [r.action, reliabilitySvg(r)]));
  return { body, markdown, patch, svgs };
}
