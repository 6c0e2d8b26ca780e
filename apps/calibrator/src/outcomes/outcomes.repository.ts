import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';
import {
  CanaryRow,
  CompensationRow,
  DecisionRow,
  LabelRow,
  OpeningRow,
  OutcomeRows,
  POST_REVIEW_RANK,
  PostReviewRow,
  ProbationRow,
  ResolutionRow,
  policyVerdict,
} from './outcome-rows';

// pg_advisory_xact_lock(namespace, key): one namespace for "a decision's row in decisions".
const DECISION_LOCKS = 0x43414c49;

/**
 * Writes a chunk's rows, one multi-row statement per table; what is already there stays
 * (the first proposal, the first resolution of each approval, each label once).
 * Returns how many rows were new.
 */
export async function saveOutcomes(
  manager: EntityManager,
  rows: OutcomeRows,
): Promise<{
  decisions: number;
  resolutions: number;
  labels: number;
  post_reviews: number;
  compensations: number;
  probations: number;
  openings: number;
  canaries: number;
}> {
  const verdicts = rows.resolutions.flatMap((r) => {
    const verdict = policyVerdict(r);
    return verdict ? [{ decision_id: r.decision_id, verdict }] : [];
  });
  // A decision's proposal and its policy resolution come on different topics, maybe at
  // once on two replicas: each waits for the other, so the verdict is never missed.
  await lockDecisions(manager, [...rows.decisions.map((d) => d.decision_id), ...verdicts.map((v) => v.decision_id)]);
  const resolutions = await insertResolutions(manager, rows.resolutions);
  if (verdicts.length > 0) {
    await manager.query(
      `UPDATE ${serviceTable(manager, 'decisions')} d SET routed_verdict = v.verdict
         FROM UNNEST($1::uuid[], $2::text[]) AS v(decision_id, verdict)
        WHERE d.decision_id = v.decision_id AND d.routed_verdict IS NULL`,
      [verdicts.map((v) => v.decision_id), verdicts.map((v) => v.verdict)],
    );
  }
  const decisions = await upsertDecisions(manager, rows.decisions);
  const labels = await insertLabels(manager, rows.labels);
  const post_reviews = await upsertPostReviews(manager, rows.postReviews);
  const compensations = await upsertCompensations(manager, rows.compensations);
  const probations = await upsertProbations(manager, rows.probations);
  const openings = await upsertOpenings(manager, rows.openings);
  const canaries = await insertCanaries(manager, rows.canaries);
  return { decisions, resolutions, labels, post_reviews, compensations, probations, openings, canaries };
}

async function lockDecisions(manager: EntityManager, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  // The first 32 bits of the uuid, in one order for every transaction: no deadlock.
  const keys = [...new Set(ids.map((id) => parseInt(id.slice(0, 8), 16) | 0))].sort((a, b) => a - b);
  await manager.query('SELECT pg_advisory_xact_lock($1::int, k) FROM UNNEST($2::int[]) AS k', [DECISION_LOCKS, keys]);
}

async function insertResolutions(manager: EntityManager, rows: ResolutionRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const column = <K extends keyof ResolutionRow>(key: K) => rows.map((r) => r[key]);
  const inserted: unknown[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'resolutions')}
       (decision_id, approval_key, approval_id, workspace, action, confidence, status, edited, resolved_by_kind, resolved_by_id, resolved_at, parameters)
     SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::float8[], $7::text[], $8::bool[], $9::text[], $10::text[], $11::timestamptz[], $12::jsonb[])
     ON CONFLICT (decision_id, approval_key) DO NOTHING
     RETURNING decision_id`,
    [
      column('decision_id'),
      column('approval_key'),
      column('approval_id'),
      column('workspace'),
      column('action'),
      column('confidence'),
      column('status'),
      column('edited'),
      column('resolved_by_kind'),
      column('resolved_by_id'),
      column('resolved_at'),
      rows.map((r) => (r.parameters === null ? null : JSON.stringify(r.parameters))),
    ],
  );
  return inserted.length;
}

async function upsertDecisions(manager: EntityManager, rows: DecisionRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const column = <K extends keyof DecisionRow>(key: K) => rows.map((r) => r[key]);
  const decisions = serviceTable(manager, 'decisions');
  // A verdict a policy resolution already gave is filled in; the first proposal stands,
  // with the earliest time seen (a request may have brought the decision first).
  const written: { inserted: boolean }[] = await manager.query(
    `INSERT INTO ${decisions} AS d (decision_id, workspace, agent_id, action, confidence, proposal, proposed_at, routed_verdict)
     SELECT u.decision_id, u.workspace, u.agent_id, u.action, u.confidence, u.proposal, u.proposed_at,
            COALESCE(u.routed_verdict, (
              SELECT CASE r.status WHEN 'approved' THEN 'auto_approve' WHEN 'blocked' THEN 'block' END
                FROM ${serviceTable(manager, 'resolutions')} r
               WHERE r.decision_id = u.decision_id AND r.resolved_by_kind = 'policy' AND r.status IN ('approved', 'blocked')
               LIMIT 1))
       FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::jsonb[], $7::timestamptz[], $8::text[])
            AS u(decision_id, workspace, agent_id, action, confidence, proposal, proposed_at, routed_verdict)
     ON CONFLICT (decision_id) DO UPDATE
        SET proposed_at = LEAST(d.proposed_at, EXCLUDED.proposed_at),
            routed_verdict = COALESCE(d.routed_verdict, EXCLUDED.routed_verdict)
     RETURNING (xmax = 0) AS inserted`,
    [
      column('decision_id'),
      column('workspace'),
      column('agent_id'),
      column('action'),
      column('confidence'),
      rows.map((r) => JSON.stringify(r.proposal)),
      column('proposed_at'),
      column('routed_verdict'),
    ],
  );
  return written.filter((w) => w.inserted).length;
}

async function insertLabels(manager: EntityManager, rows: LabelRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const column = <K extends keyof LabelRow>(key: K) => rows.map((r) => r[key]);
  // Labels of decisions not seen (yet) are kept all the same: no foreign key.
  const inserted: unknown[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'labels')} (event_id, decision_id, workspace, correct, source, labeled_by, labeled_at)
     SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::text[], $4::bool[], $5::text[], $6::text[], $7::timestamptz[])
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id`,
    [column('event_id'), column('decision_id'), column('workspace'), column('correct'), column('source'), column('labeled_by'), column('labeled_at')],
  );
  return inserted.length;
}

/** The rank of a state in SQL, as POST_REVIEW_RANK says. */
const rankSql = (column: string) =>
  `array_position(ARRAY[${Object.entries(POST_REVIEW_RANK)
    .sort(([, a], [, b]) => a - b)
    .map(([state]) => `'${state}'`)
    .join(', ')}]::text[], ${column})`;

/**
 * Writes post-reviews (a chunk has one row per approval: outcomeRows merged them). As
 * mergePostReview does: what a request says fills in what is missing, and the end that
 * ranks highest stands (the earlier of two equal ones), in whatever order they come.
 * Returns how many rows were new.
 */
async function upsertPostReviews(manager: EntityManager, rows: PostReviewRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const column = <K extends keyof PostReviewRow>(key: K) => rows.map((r) => r[key]);
  const outranks = `(${rankSql('EXCLUDED.state')} > ${rankSql('p.state')} OR (EXCLUDED.state = p.state AND EXCLUDED.ended_at < p.ended_at))`;
  const written: { inserted: boolean }[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'post_reviews')} AS p
       (approval_id, decision_id, workspace, action, requested_at, state, unreviewed_reason, ended_by, ended_at)
     SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
     ON CONFLICT (approval_id) DO UPDATE
        SET action = COALESCE(p.action, EXCLUDED.action),
            requested_at = COALESCE(p.requested_at, EXCLUDED.requested_at),
            state = CASE WHEN ${outranks} THEN EXCLUDED.state ELSE p.state END,
            unreviewed_reason = CASE WHEN ${outranks} THEN EXCLUDED.unreviewed_reason ELSE p.unreviewed_reason END,
            ended_by = CASE WHEN ${outranks} THEN EXCLUDED.ended_by ELSE p.ended_by END,
            ended_at = CASE WHEN ${outranks} THEN EXCLUDED.ended_at ELSE p.ended_at END
     RETURNING (xmax = 0) AS inserted`,
    [
      column('approval_id'),
      column('decision_id'),
      column('workspace'),
      column('action'),
      column('requested_at'),
      column('state'),
      column('unreviewed_reason'),
      column('ended_by'),
      column('ended_at'),
    ],
  );
  return written.filter((w) => w.inserted).length;
}

/** One row per rollback's undo; a success stands over a failure (the earlier success's time). */
async function upsertCompensations(manager: EntityManager, rows: CompensationRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const column = <K extends keyof CompensationRow>(key: K) => rows.map((r) => r[key]);
  const written: { inserted: boolean }[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'compensations')} AS c (approval_id, decision_id, workspace, action, succeeded, executed_at, signed_by)
     SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bool[], $6::timestamptz[], $7::text[])
     ON CONFLICT (approval_id) DO UPDATE
        SET executed_at = CASE WHEN EXCLUDED.succeeded AND (NOT c.succeeded OR EXCLUDED.executed_at < c.executed_at) THEN EXCLUDED.executed_at ELSE c.executed_at END,
            signed_by = CASE WHEN EXCLUDED.succeeded AND (NOT c.succeeded OR EXCLUDED.executed_at < c.executed_at) THEN EXCLUDED.signed_by ELSE c.signed_by END,
            succeeded = c.succeeded OR EXCLUDED.succeeded
     RETURNING (xmax = 0) AS inserted`,
    [column('approval_id'), column('decision_id'), column('workspace'), column('action'), column('succeeded'), column('executed_at'), column('signed_by')],
  );
  return written.filter((w) => w.inserted).length;
}

/**
 * Writes probations (a chunk has one row per probation: outcomeRows merged them). As
 * mergeProbation does, in whatever order they come: the start fills in what is missing (the
 * earliest start; what graduating asks, from the start when known); an end always replaces
 * `active`, and of two ends the first stands (the earlier; a graduation over an early end at
 * the same instant): an ended or graduated probation never becomes active again.
 * Returns how many rows were new.
 */
async function upsertProbations(manager: EntityManager, rows: ProbationRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const column = <K extends keyof ProbationRow>(key: K) => rows.map((r) => r[key]);
  const endAt = (t: string) => `CASE ${t}.state WHEN 'graduated' THEN ${t}.graduated_at WHEN 'ended' THEN ${t}.ended_at END`;
  const outranks = `(EXCLUDED.state <> 'active' AND (p.state = 'active' OR ${endAt('EXCLUDED')} < ${endAt('p')}
      OR (${endAt('EXCLUDED')} = ${endAt('p')} AND EXCLUDED.state = 'graduated' AND p.state = 'ended')))`;
  const asks = `(p.started_at IS NOT NULL OR EXCLUDED.decisions IS NULL)`;
  const ends = (field: keyof ProbationRow) => `${field} = CASE WHEN ${outranks} THEN EXCLUDED.${field} ELSE p.${field} END`;
  const written: { inserted: boolean }[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'probations')} AS p
       (id, workspace, action, reason, manifest_version, decisions, approved_unchanged_rate, started_at,
        state, reviewed, approved_unchanged, graduated_at, ended_by, end_reason, ended_at)
     SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::float8[], $8::timestamptz[],
                          $9::text[], $10::int[], $11::int[], $12::timestamptz[], $13::text[], $14::text[], $15::timestamptz[])
     ON CONFLICT (id) DO UPDATE
        SET reason = COALESCE(p.reason, EXCLUDED.reason),
            manifest_version = COALESCE(p.manifest_version, EXCLUDED.manifest_version),
            started_at = LEAST(p.started_at, EXCLUDED.started_at),
            decisions = CASE WHEN ${asks} THEN p.decisions ELSE EXCLUDED.decisions END,
            approved_unchanged_rate = CASE WHEN ${asks} THEN p.approved_unchanged_rate ELSE EXCLUDED.approved_unchanged_rate END,
            ${(['state', 'reviewed', 'approved_unchanged', 'graduated_at', 'ended_by', 'end_reason', 'ended_at'] as const).map(ends).join(',\n            ')}
     RETURNING (xmax = 0) AS inserted`,
    [
      column('id'),
      column('workspace'),
      column('action'),
      column('reason'),
      column('manifest_version'),
      column('decisions'),
      column('approved_unchanged_rate'),
      column('started_at'),
      column('state'),
      column('reviewed'),
      column('approved_unchanged'),
      column('graduated_at'),
      column('ended_by'),
      column('end_reason'),
      column('ended_at'),
    ],
  );
  return written.filter((w) => w.inserted).length;
}

/** One row per approval and reviewer: the earliest opening stands, in whatever order they come. Returns how many rows were new. */
async function upsertOpenings(manager: EntityManager, rows: OpeningRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const column = <K extends keyof OpeningRow>(key: K) => rows.map((r) => r[key]);
  const written: { inserted: boolean }[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'openings')} AS o (approval_id, reviewer_id, decision_id, workspace, opened_at)
     SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::timestamptz[])
     ON CONFLICT (approval_id, reviewer_id) DO UPDATE SET opened_at = LEAST(o.opened_at, EXCLUDED.opened_at)
     RETURNING (xmax = 0) AS inserted`,
    [column('approval_id'), column('reviewer_id'), column('decision_id'), column('workspace'), column('opened_at')],
  );
  return written.filter((w) => w.inserted).length;
}

/** One row per canary: the first score stands. Returns how many rows were new. */
async function insertCanaries(manager: EntityManager, rows: CanaryRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const column = <K extends keyof CanaryRow>(key: K) => rows.map((r) => r[key]);
  const inserted: unknown[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'canaries')}
       (approval_id, decision_id, workspace, reviewer_id, reviewer_role, action, expected, answered, correct, scored_at)
     SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bool[], $10::timestamptz[])
     ON CONFLICT (approval_id) DO NOTHING
     RETURNING approval_id`,
    [
      column('approval_id'),
      column('decision_id'),
      column('workspace'),
      column('reviewer_id'),
      column('reviewer_role'),
      column('action'),
      column('expected'),
      column('answered'),
      column('correct'),
      column('scored_at'),
    ],
  );
  return inserted.length;
}
