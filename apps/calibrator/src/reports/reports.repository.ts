// The report's SQL: aggregation in PostgreSQL (a row per action, agent and bucket, never
// a row per outcome), and the stored reports.
import { AmountBandRow, ApprovalBandRow, CanaryItem, PostReviewCounts, ProbationFacts, ReviewedItem } from '@hitl/calibration';
import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';
import { AccuracyRow, AggregateRow, InterventionRow } from './report-assembly';
import { ReportTrigger, StoredReport } from './report-document';

export interface Window {
  since: Date;
  until: Date;
  /** null: every workspace. */
  workspace: string | null;
}

/**
 * The labeled decisions of a window, one row each: its effective label, its action, agent
 * and stated confidence (from the proposal, else from a resolution, whichever this
 * service has), and its bucket. The effective label is the latest outcome.labeled label;
 * a decision without one takes its post-review's verdict (confirmed: correct, rolled back:
 * incorrect; a rollback outranks a confirmation); an unreviewed or open post-review is
 * none. A decision belongs to the window of when it was proposed (resolved, when only its
 * resolution is known). Labels and verdicts before the window are not read: they come after it.
 */
function outcomesSql(manager: EntityManager): string {
  return `
    labeled AS (
      SELECT DISTINCT ON (decision_id) decision_id, correct
        FROM ${serviceTable(manager, 'labels')}
       WHERE labeled_at >= $1
       ORDER BY decision_id, labeled_at DESC, event_id DESC
    ),
    verdicts AS (
      SELECT DISTINCT ON (p.decision_id) p.decision_id, p.state = 'reviewed' AS correct
        FROM ${serviceTable(manager, 'post_reviews')} p
       WHERE p.state IN ('reviewed', 'rolled_back') AND p.ended_at >= $1
         AND NOT EXISTS (SELECT 1 FROM labeled l WHERE l.decision_id = p.decision_id)
       ORDER BY p.decision_id, p.state = 'rolled_back' DESC, p.ended_at, p.approval_id
    ),
    effective AS (
      SELECT decision_id, correct FROM labeled
      UNION ALL
      SELECT decision_id, correct FROM verdicts
    ),
    outcomes AS (
      SELECT COALESCE(d.action, r.action) AS action,
             d.agent_id,
             COALESCE(d.confidence, r.confidence) AS confidence,
             LEAST(9, GREATEST(0, floor(COALESCE(d.confidence, r.confidence) * 10 + 1e-9)))::int AS bucket,
             e.correct
        FROM effective e
        LEFT JOIN ${serviceTable(manager, 'decisions')} d ON d.decision_id = e.decision_id
        -- The first resolution, looked up only for decisions whose proposal was not seen.
        LEFT JOIN LATERAL (
          SELECT action, confidence, workspace, resolved_at FROM ${serviceTable(manager, 'resolutions')}
           WHERE decision_id = e.decision_id AND d.decision_id IS NULL
           ORDER BY resolved_at, approval_key
           LIMIT 1
        ) r ON true
       WHERE COALESCE(d.proposed_at, r.resolved_at) >= $1
         AND COALESCE(d.proposed_at, r.resolved_at) < $2
         AND ($3::text IS NULL OR COALESCE(d.workspace, r.workspace) = $3)
    )`;
}

const windowParams = (w: Window) => [w.since, w.until, w.workspace];

/** Per action and bucket, and per action, agent and bucket: count, Σ confidence, correct, Σ squared error. */
export async function bucketAggregates(manager: EntityManager, window: Window): Promise<AggregateRow[]> {
  const rows: AggregateRow[] = await manager.query(
    `WITH ${outcomesSql(manager)}
     SELECT action,
            agent_id,
            GROUPING(agent_id) = 0 AS per_agent,
            bucket,
            count(*)::int AS n,
            sum(confidence)::float8 AS sum_confidence,
            (count(*) FILTER (WHERE correct))::int AS correct,
            sum(power(confidence - CASE WHEN correct THEN 1 ELSE 0 END, 2))::float8 AS sum_squared_error
       FROM outcomes
      GROUP BY GROUPING SETS ((action, bucket), (action, agent_id, bucket))
      ORDER BY action, per_agent, agent_id, bucket`,
    windowParams(window),
  );
  // GROUPING SETS leaves agent_id null on the per-action rows.
  return rows.map((r) => ({ ...r, agent_id: r.per_agent ? r.agent_id : null }));
}

/** Accuracy per action: for the window before, to tell a drop. */
export function accuracyByAction(manager: EntityManager, window: Window): Promise<AccuracyRow[]> {
  return manager.query(
    `WITH ${outcomesSql(manager)}
     SELECT action, count(*)::int AS n, (count(*) FILTER (WHERE correct))::int AS correct
       FROM outcomes GROUP BY action`,
    windowParams(window),
  );
}

/**
 * What reviewers did with the decisions they resolved in the window, per action and per
 * agent, and with the post-reviews they ended in it (a post-review has no resolution: the
 * router resolved it when it ran): confirmed, or rolled back, an intervention.
 */
export function interventionCounts(manager: EntityManager, window: Window): Promise<InterventionRow[]> {
  return manager.query(
    `WITH acts AS (
       SELECT r.action, d.agent_id,
              CASE WHEN r.status = 'denied' THEN 'denied' WHEN r.edited THEN 'edited' ELSE 'approved_unchanged' END AS act
         FROM ${serviceTable(manager, 'resolutions')} r
         LEFT JOIN ${serviceTable(manager, 'decisions')} d ON d.decision_id = r.decision_id
        WHERE r.resolved_by_kind = 'reviewer'
          AND r.resolved_at >= $1 AND r.resolved_at < $2
          AND ($3::text IS NULL OR r.workspace = $3)
       UNION ALL
       SELECT COALESCE(p.action, d.action), d.agent_id, CASE p.state WHEN 'reviewed' THEN 'confirmed' ELSE 'rolled_back' END
         FROM ${serviceTable(manager, 'post_reviews')} p
         LEFT JOIN ${serviceTable(manager, 'decisions')} d ON d.decision_id = p.decision_id
        WHERE p.state IN ('reviewed', 'rolled_back')
          AND p.ended_at >= $1 AND p.ended_at < $2
          AND ($3::text IS NULL OR p.workspace = $3)
          AND COALESCE(p.action, d.action) IS NOT NULL
     )
     SELECT action,
            CASE WHEN GROUPING(agent_id) = 0 THEN agent_id END AS agent_id,
            GROUPING(agent_id) = 0 AS per_agent,
            (count(*) FILTER (WHERE act = 'approved_unchanged'))::int AS approved_unchanged,
            (count(*) FILTER (WHERE act = 'edited'))::int AS edited,
            (count(*) FILTER (WHERE act = 'denied'))::int AS denied,
            (count(*) FILTER (WHERE act = 'confirmed'))::int AS confirmed,
            (count(*) FILTER (WHERE act = 'rolled_back'))::int AS rolled_back
       FROM acts
      GROUP BY GROUPING SETS ((action), (action, agent_id))`,
    windowParams(window),
  );
}

/**
 * Per action and bucket, the decisions people reviewed before they ran (routed to
 * human_review: an escalation was sent to a person for a reason of its own) and resolved in
 * the window, each once: approved unchanged when every reviewer approved it as it was.
 */
export function approvalBands(manager: EntityManager, window: Window): Promise<ApprovalBandRow[]> {
  return manager.query(
    `WITH reviewed AS (
       SELECT d.action,
              LEAST(9, GREATEST(0, floor(d.confidence * 10 + 1e-9)))::int AS bucket,
              bool_and(r.status = 'approved' AND NOT r.edited) AS unchanged
         FROM ${serviceTable(manager, 'resolutions')} r
         JOIN ${serviceTable(manager, 'decisions')} d ON d.decision_id = r.decision_id
        WHERE r.resolved_by_kind = 'reviewer' AND d.routed_verdict = 'human_review'
          AND r.resolved_at >= $1 AND r.resolved_at < $2
          AND ($3::text IS NULL OR r.workspace = $3)
        GROUP BY d.decision_id, d.action, d.confidence
     )
     SELECT action, bucket, count(*)::int AS reviewed, (count(*) FILTER (WHERE unchanged))::int AS approved_unchanged
       FROM reviewed GROUP BY action, bucket ORDER BY action, bucket`,
    windowParams(window),
  );
}

/** Labels of the window: for decisions never seen (counted per decision), and those a later label replaced. */
export async function labelCounts(manager: EntityManager, window: Window): Promise<{ unknown_outcomes: number; superseded_labels: number }> {
  const [row] = await manager.query(
    `WITH labeled AS (
       SELECT decision_id FROM ${serviceTable(manager, 'labels')}
        WHERE labeled_at >= $1 AND labeled_at < $2 AND ($3::text IS NULL OR workspace = $3)
     )
     SELECT (SELECT count(*) - count(DISTINCT decision_id) FROM labeled)::int AS superseded_labels,
            (SELECT count(DISTINCT l.decision_id) FROM labeled l
              WHERE NOT EXISTS (SELECT 1 FROM ${serviceTable(manager, 'decisions')} d WHERE d.decision_id = l.decision_id)
                AND NOT EXISTS (SELECT 1 FROM ${serviceTable(manager, 'resolutions')} r WHERE r.decision_id = l.decision_id))::int AS unknown_outcomes`,
    windowParams(window),
  );
  return row;
}

/**
 * Post-reviews of the window per workspace and action (a post-review belongs to the window
 * of its request; of its end, when the request is not seen), with the auto-approvals by
 * policy of the same window: how each ended, and what sampling asked of reviewers. The
 * action comes from the request, else from the decision; `unattributed`: those with neither.
 */
export async function postReviewCounts(manager: EntityManager, window: Window): Promise<{ counts: PostReviewCounts[]; unattributed: number }> {
  const rows: (Omit<PostReviewCounts, 'action'> & { action: string | null })[] = await manager.query(
    `WITH reviews AS (
       SELECT p.workspace, COALESCE(p.action, d.action) AS action, p.state, p.unreviewed_reason
         FROM ${serviceTable(manager, 'post_reviews')} p
         LEFT JOIN ${serviceTable(manager, 'decisions')} d ON d.decision_id = p.decision_id
        WHERE COALESCE(p.requested_at, p.ended_at) >= $1 AND COALESCE(p.requested_at, p.ended_at) < $2
          AND ($3::text IS NULL OR p.workspace = $3)
     ),
     counted AS (
       SELECT workspace, action,
              count(*)::int AS requested,
              (count(*) FILTER (WHERE state = 'open'))::int AS open,
              (count(*) FILTER (WHERE state = 'reviewed'))::int AS reviewed,
              (count(*) FILTER (WHERE state = 'rolled_back'))::int AS rolled_back,
              (count(*) FILTER (WHERE state = 'unreviewed' AND unreviewed_reason = 'review_window_closed'))::int AS review_window_closed,
              (count(*) FILTER (WHERE state = 'unreviewed' AND unreviewed_reason = 'no_review_capacity'))::int AS no_review_capacity
         FROM reviews GROUP BY workspace, action
     ),
     auto AS (
       SELECT workspace, action, count(*)::int AS auto_approvals
         FROM ${serviceTable(manager, 'resolutions')}
        WHERE resolved_by_kind = 'policy' AND status = 'approved'
          AND resolved_at >= $1 AND resolved_at < $2
          AND ($3::text IS NULL OR workspace = $3)
        GROUP BY workspace, action
     )
     SELECT workspace, action,
            COALESCE(a.auto_approvals, 0) AS auto_approvals,
            COALESCE(c.requested, 0) AS requested,
            COALESCE(c.open, 0) AS open,
            COALESCE(c.reviewed, 0) AS reviewed,
            COALESCE(c.rolled_back, 0) AS rolled_back,
            COALESCE(c.review_window_closed, 0) AS review_window_closed,
            COALESCE(c.no_review_capacity, 0) AS no_review_capacity
       FROM counted c FULL JOIN auto a USING (workspace, action)
      ORDER BY workspace, action`,
    windowParams(window),
  );
  const counts = rows.filter((r): r is PostReviewCounts => r.action !== null);
  const unattributed = rows.filter((r) => r.action === null).reduce((n, r) => n + r.requested, 0);
  return { counts, unattributed };
}

/**
 * The probations a report shows, for its workspace scope: those started, graduated or ended
 * early in the window, and those still active whatever their start. Times as ISO strings.
 */
export async function probationsOf(manager: EntityManager, window: Window): Promise<ProbationFacts[]> {
  const rows: (Omit<ProbationFacts, 'started_at' | 'graduated_at' | 'ended_at'> & {
    started_at: Date | null;
    graduated_at: Date | null;
    ended_at: Date | null;
  })[] = await manager.query(
    `SELECT id AS probation_id, workspace, action, state, reason, manifest_version, started_at, decisions, approved_unchanged_rate,
            reviewed, approved_unchanged, graduated_at, ended_by, end_reason, ended_at
       FROM ${serviceTable(manager, 'probations')}
      WHERE ($3::text IS NULL OR workspace = $3)
        AND (state = 'active'
             OR (started_at >= $1 AND started_at < $2)
             OR (graduated_at >= $1 AND graduated_at < $2)
             OR (ended_at >= $1 AND ended_at < $2))
      ORDER BY workspace, action, id`,
    windowParams(window),
  );
  const iso = (t: Date | null) => (t === null ? null : t.toISOString());
  return rows.map((r) => ({ ...r, started_at: iso(r.started_at), graduated_at: iso(r.graduated_at), ended_at: iso(r.ended_at) }));
}

export interface ReportRecord extends StoredReport {
  id: string;
  workspace: string | null;
}

export async function insertReport(
  manager: EntityManager,
  report: StoredReport,
  meta: { trigger: ReportTrigger; requestedBy: string | null; windowDays: number },
): Promise<void> {
  const { body } = report;
  await manager.query(
    `INSERT INTO ${serviceTable(manager, 'reports')} (id, generated_at, window_days, workspace, trigger, requested_by, body, markdown, patch, svgs)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      body.id,
      body.generated_at,
      meta.windowDays,
      body.workspace,
      meta.trigger,
      meta.requestedBy,
      JSON.stringify(body),
      report.markdown,
      report.patch,
      JSON.stringify(report.svgs),
    ],
  );
}

export async function findReport(manager: EntityManager, id: string): Promise<ReportRecord | null> {
  const [row] = await manager.query(`SELECT id, workspace, body, markdown, patch, svgs FROM ${serviceTable(manager, 'reports')} WHERE id = $1`, [id]);
  return row ?? null;
}

/** Which reports a reader sees: '*' every one; else those of the listed workspaces (not those over every workspace). */
export type ReportScope = '*' | string[];

export interface ReportSummary {
  id: string;
  generated_at: string;
  trigger: ReportTrigger;
  workspace: string | null;
  window_days: number;
  labeled_outcomes: number;
  findings: number;
  suggestions: number;
}

export async function listReports(manager: EntityManager, scope: ReportScope, limit: number): Promise<ReportSummary[]> {
  const rows: (Omit<ReportSummary, 'generated_at'> & { generated_at: Date })[] = await manager.query(
    `SELECT id, generated_at, trigger, workspace, window_days,
            (body->>'labeled_outcomes')::int AS labeled_outcomes,
            jsonb_array_length(body->'findings') AS findings,
            jsonb_array_length(body->'suggestions') AS suggestions
       FROM ${serviceTable(manager, 'reports')}
      WHERE $1::text[] IS NULL OR workspace = ANY ($1)
      ORDER BY generated_at DESC, id
      LIMIT $2`,
    [scope === '*' ? null : scope, limit],
  );
  return rows.map((r) => ({ ...r, generated_at: r.generated_at.toISOString() }));
}

export async function latestReportId(manager: EntityManager, scope: ReportScope): Promise<string | null> {
  const [row] = await manager.query(
    `SELECT id FROM ${serviceTable(manager, 'reports')} WHERE $1::text[] IS NULL OR workspace = ANY ($1) ORDER BY generated_at DESC, id LIMIT 1`,
    [scope === '*' ? null : scope],
  );
  return row?.id ?? null;
}

/**
 * Per action, rollbacks whose undo worked: the compensation succeeded, signed by the
 * decision's own agent, for a rollback the escalation service itself reported (its
 * rolled_back event for the same approval and decision is kept). Not windowed: a rollback
 * seen to work stays seen.
 */
export async function completedRollbacks(manager: EntityManager, workspace: string | null): Promise<Map<string, number>> {
  const rows: { action: string; completed: number }[] = await manager.query(
    `SELECT c.action, count(*)::int AS completed
       FROM ${serviceTable(manager, 'compensations')} c
       JOIN ${serviceTable(manager, 'post_reviews')} p
         ON p.approval_id = c.approval_id AND p.decision_id = c.decision_id AND p.workspace = c.workspace AND p.state = 'rolled_back'
       JOIN ${serviceTable(manager, 'decisions')} d ON d.decision_id = c.decision_id AND d.agent_id = c.signed_by
      WHERE c.succeeded AND (p.action IS NULL OR p.action = c.action)
        AND ($1::text IS NULL OR c.workspace = $1)
      GROUP BY c.action`,
    [workspace],
  );
  return new Map(rows.map((r) => [r.action, r.completed]));
}

/** Reviews edit analysis reads per action: the latest of the window. */
export const EDIT_REVIEWS_PER_ACTION = 2000;

export interface EditReviewRow {
  action: string;
  /** The parameters as proposed (masked by the caller before analysis). */
  proposed: Record<string, unknown>;
  /** As approved: the reviewer's edit, else as proposed; null when denied. */
  approved: Record<string, unknown> | null;
  edited: boolean;
}

/**
 * The latest reviews before the action ran (up to EDIT_REVIEWS_PER_ACTION per action) of
 * decisions whose proposal this service has: what was proposed, and what a reviewer approved.
 */
export async function editReviews(manager: EntityManager, window: Window): Promise<EditReviewRow[]> {
  return manager.query(
    `WITH reviews AS (
       SELECT r.action,
              d.proposal->'parameters' AS proposed,
              CASE WHEN r.status <> 'approved' THEN NULL WHEN r.edited THEN r.parameters ELSE d.proposal->'parameters' END AS approved,
              r.edited AND r.parameters IS NOT NULL AS edited,
              row_number() OVER (PARTITION BY r.action ORDER BY r.resolved_at DESC, r.decision_id, r.approval_key) AS rn
         FROM ${serviceTable(manager, 'resolutions')} r
         JOIN ${serviceTable(manager, 'decisions')} d ON d.decision_id = r.decision_id
        WHERE r.resolved_by_kind = 'reviewer' AND r.status IN ('approved', 'denied')
          AND (r.status = 'denied' OR NOT r.edited OR r.parameters IS NOT NULL)
          AND r.resolved_at >= $1 AND r.resolved_at < $2
          AND ($3::text IS NULL OR r.workspace = $3)
     )
     SELECT action, proposed, approved, edited FROM reviews WHERE rn <= ${EDIT_REVIEWS_PER_ACTION} ORDER BY action, rn`,
    windowParams(window),
  );
}

/**
 * Per action and band of amount (`edges` per action: band k is [edges[k], edges[k+1])), the
 * decisions reviewed before they ran (routed human_review) and resolved in the window, each
 * once: approved unchanged when every reviewer approved it as it was. The amount is read at
 * the action's amount_field; a decision without a number there is in no band.
 */
export async function amountBands(
  manager: EntityManager,
  window: Window,
  limits: readonly { action: string; path: string[]; edges: number[] }[],
): Promise<AmountBandRow[]> {
  if (limits.length === 0) return [];
  return manager.query(
    `WITH limits AS (
       SELECT * FROM jsonb_to_recordset($4::jsonb) AS l(action text, path text[], edges float8[])
     ),
     reviewed AS (
       SELECT d.action, l.edges,
              CASE WHEN jsonb_typeof((d.proposal->'parameters') #> l.path) = 'number' THEN ((d.proposal->'parameters') #>> l.path)::float8 END AS amount,
              bool_and(r.status = 'approved' AND NOT r.edited) AS unchanged
         FROM ${serviceTable(manager, 'resolutions')} r
         JOIN ${serviceTable(manager, 'decisions')} d ON d.decision_id = r.decision_id
         JOIN limits l ON l.action = d.action
        WHERE r.resolved_by_kind = 'reviewer' AND d.routed_verdict = 'human_review'
          AND r.resolved_at >= $1 AND r.resolved_at < $2
          AND ($3::text IS NULL OR r.workspace = $3)
        GROUP BY d.decision_id, d.action, l.edges, l.path, d.proposal
     ),
     banded AS (
       SELECT action, width_bucket(amount, edges) - 1 AS band, cardinality(edges) AS n_edges, unchanged FROM reviewed WHERE amount IS NOT NULL
     )
     SELECT action, band, count(*)::int AS reviewed, (count(*) FILTER (WHERE unchanged))::int AS approved_unchanged
       FROM banded WHERE band >= 0 AND band < n_edges - 1
      GROUP BY action, band ORDER BY action, band`,
    [...windowParams(window), JSON.stringify(limits)],
  );
}

/**
 * Review quality's input: each decision a reviewer resolved before it ran (approved, edited,
 * denied) in the window, with their first opening of it, its latest outcome label (labels
 * after the decision only), and how much there was to read: the agent's summary and the
 * parameters as proposed. Canaries never come here: they are never proposed nor resolved.
 * A row per decision (medians need them): people's decisions, a human-scale number.
 */
export async function reviewedItems(manager: EntityManager, window: Window): Promise<ReviewedItem[]> {
  const rows: (Omit<ReviewedItem, 'opened_at' | 'decided_at'> & { opened_at: Date | null; decided_at: Date })[] = await manager.query(
    `SELECT r.resolved_by_id AS reviewer_id, r.action,
            CASE WHEN r.status = 'denied' THEN 'denied' WHEN r.edited THEN 'edited' ELSE 'approved' END AS verdict,
            o.opened_at, r.resolved_at AS decided_at,
            (SELECT l.correct FROM ${serviceTable(manager, 'labels')} l
              WHERE l.decision_id = r.decision_id AND l.labeled_at >= r.resolved_at
              ORDER BY l.labeled_at DESC, l.event_id DESC LIMIT 1) AS correct,
            COALESCE(length(d.proposal->>'summary'), 0) + COALESCE(length((d.proposal->'parameters')::text), 0) AS read_chars
       FROM ${serviceTable(manager, 'resolutions')} r
       LEFT JOIN ${serviceTable(manager, 'openings')} o ON o.approval_id = r.approval_id AND o.reviewer_id = r.resolved_by_id
       LEFT JOIN ${serviceTable(manager, 'decisions')} d ON d.decision_id = r.decision_id
      WHERE r.resolved_by_kind = 'reviewer' AND r.status IN ('approved', 'denied') AND r.approval_id IS NOT NULL
        AND r.resolved_at >= $1 AND r.resolved_at < $2
        AND ($3::text IS NULL OR r.workspace = $3)
      ORDER BY r.resolved_by_id, r.resolved_at`,
    windowParams(window),
  );
  return rows.map((r) => ({
    ...r,
    read_chars: Number(r.read_chars),
    opened_at: r.opened_at === null ? null : r.opened_at.toISOString(),
    decided_at: r.decided_at.toISOString(),
  }));
}

/** The canaries scored in the window with a reviewer to score (a missed one that waited in a role's queue has none). */
export function scoredCanaries(manager: EntityManager, window: Window): Promise<CanaryItem[]> {
  return manager.query(
    `SELECT reviewer_id, action, correct FROM ${serviceTable(manager, 'canaries')}
      WHERE reviewer_id IS NOT NULL AND scored_at >= $1 AND scored_at < $2 AND ($3::text IS NULL OR workspace = $3)
      ORDER BY reviewer_id, scored_at`,
    windowParams(window),
  );
}
