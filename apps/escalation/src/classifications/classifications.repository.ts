import { ClassificationExample, ClassificationStatus, ClassificationTally, UnknownActionSighting } from '@hitl/policy';
import { ClassifyBody } from '@hitl/reviewer-api';
import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';

/** One classifications row, as PostgreSQL returns it. */
export interface ClassificationRow {
  id: string;
  workspace: string;
  action: string;
  status: ClassificationStatus;
  occurrences: number;
  first_seen_at: Date;
  last_seen_at: Date;
  examples: ClassificationExample[];
  manifest_version: string;
  alerted_at: Date | null;
  closed_by: string | null;
  closed_at: Date | null;
  classification: ClassifyBody | null;
  suggested_patch: string | null;
  dismiss_reason: string | null;
}

/**
 * Records each blocked decision once; returns the decisions not seen before (a redelivered
 * resolution, or a replay of the topic, finds its decision already here).
 */
export async function recordSightings(manager: EntityManager, sightings: { itemId: string; sighting: UnknownActionSighting }[]): Promise<Set<string>> {
  if (sightings.length === 0) return new Set();
  const rows: { decision_id: string }[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'classification_sightings')} (decision_id, classification_id, seen_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[])
     ON CONFLICT (decision_id) DO NOTHING
     RETURNING decision_id`,
    [sightings.map((s) => s.sighting.decisionId), sightings.map((s) => s.itemId), sightings.map((s) => s.sighting.seenAt)],
  );
  return new Set(rows.map((r) => r.decision_id));
}

/** A new item; false when another transaction created it first (then lock and update it). */
export async function insertItem(manager: EntityManager, id: string, workspace: string, action: string, tally: ClassificationTally): Promise<boolean> {
  const rows = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'classifications')} (id, workspace, action, occurrences, first_seen_at, last_seen_at, examples, manifest_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [id, workspace, action, tally.occurrences, tally.firstSeenAt, tally.lastSeenAt, JSON.stringify(tally.examples), tally.manifestVersion],
  );
  return rows.length === 1;
}

export async function updateTally(manager: EntityManager, id: string, tally: ClassificationTally): Promise<void> {
  await manager.query(
    `UPDATE ${serviceTable(manager, 'classifications')}
        SET occurrences = $2, first_seen_at = $3, last_seen_at = $4, examples = $5::jsonb, manifest_version = $6
      WHERE id = $1`,
    [id, tally.occurrences, tally.firstSeenAt, tally.lastSeenAt, JSON.stringify(tally.examples), tally.manifestVersion],
  );
}

export async function markAlerted(manager: EntityManager, id: string, at: Date): Promise<void> {
  await manager.query(`UPDATE ${serviceTable(manager, 'classifications')} SET alerted_at = $2 WHERE id = $1 AND alerted_at IS NULL`, [id, at]);
}

/** One item, locked for the rest of the transaction when `lock`. */
export async function findItem(manager: EntityManager, id: string, lock = false): Promise<ClassificationRow | null> {
  const rows = await manager.query(`SELECT * FROM ${serviceTable(manager, 'classifications')} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

/** Items of a status (or all), in these workspaces (null: every one), the latest sightings first. */
export function listItems(
  manager: EntityManager,
  status: ClassificationStatus | 'all',
  workspaces: readonly string[] | null,
  limit: number,
): Promise<ClassificationRow[]> {
  return manager.query(
    `SELECT * FROM ${serviceTable(manager, 'classifications')}
      WHERE ($1::text = 'all' OR status = $1) AND ($2::text[] IS NULL OR workspace = ANY ($2))
      ORDER BY last_seen_at DESC, id
      LIMIT $3`,
    [status, workspaces === null ? null : [...workspaces], limit],
  );
}

export async function closeItem(
  manager: EntityManager,
  id: string,
  close:
    { status: 'classified'; by: string; at: Date; classification: ClassifyBody; patch: string } | { status: 'dismissed'; by: string; at: Date; reason: string },
): Promise<ClassificationRow> {
  // TypeORM answers an UPDATE with [rows, count].
  const [rows]: [ClassificationRow[], number] = await manager.query(
    `UPDATE ${serviceTable(manager, 'classifications')}
        SET status = $2, closed_by = $3, closed_at = $4, classification = $5::jsonb, suggested_patch = $6, dismiss_reason = $7
      WHERE id = $1
      RETURNING *`,
    [
      id,
      close.status,
      close.by,
      close.at,
      close.status === 'classified' ? JSON.stringify(close.classification) : null,
      close.status === 'classified' ? close.patch : null,
      close.status === 'dismissed' ? close.reason : null,
    ],
  );
  return rows[0];
}

/** Whether anyone holds `role` in the workspace (so that someone can classify its unknown actions). */
export async function anyoneHolds(manager: EntityManager, workspace: string, role: string): Promise<boolean> {
  const rows = await manager.query(
    `SELECT 1 FROM ${serviceTable(manager, 'reviewers')} WHERE $1 = ANY (roles) AND ($2 = ANY (workspaces) OR '*' = ANY (workspaces)) LIMIT 1`,
    [role, workspace],
  );
  return rows.length > 0;
}
