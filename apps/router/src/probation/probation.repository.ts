// Probation's SQL: the profiles of the manifests routed by, the probations, and their reviews.
import { ActiveProbation, AutonomyProfile } from '@hitl/policy';
import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';

// pg_advisory_xact_lock(namespace, hashtext(workspace)): one replica syncs a workspace's manifest at a time.
const SYNC_LOCKS = 0x50524f42;

/** Of these (workspace, manifest version) pairs, those the router has not compared yet. */
export async function unsynced(
  manager: EntityManager,
  pairs: readonly { workspace: string; version: string }[],
): Promise<{ workspace: string; version: string }[]> {
  if (pairs.length === 0) return [];
  const seen: { workspace: string; manifest_version: string }[] = await manager.query(
    `SELECT workspace, manifest_version FROM ${serviceTable(manager, 'manifest_syncs')}
      WHERE (workspace, manifest_version) IN (SELECT * FROM UNNEST($1::text[], $2::text[]))`,
    [pairs.map((p) => p.workspace), pairs.map((p) => p.version)],
  );
  return pairs.filter((p) => !seen.some((s) => s.workspace === p.workspace && s.manifest_version === p.version));
}

/** Locks the workspace's sync; true when this transaction should compare (nobody did meanwhile). */
export async function lockSync(manager: EntityManager, workspace: string, version: string): Promise<boolean> {
  await manager.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [SYNC_LOCKS, workspace]);
  const [row] = await manager.query(`SELECT 1 FROM ${serviceTable(manager, 'manifest_syncs')} WHERE workspace = $1 AND manifest_version = $2`, [
    workspace,
    version,
  ]);
  return !row;
}

export async function storedProfiles(manager: EntityManager, workspace: string): Promise<Map<string, AutonomyProfile>> {
  const rows: { action: string; profile: AutonomyProfile }[] = await manager.query(
    `SELECT action, profile FROM ${serviceTable(manager, 'action_profiles')} WHERE workspace = $1`,
    [workspace],
  );
  return new Map(rows.map((r) => [r.action, r.profile]));
}

export async function saveSync(manager: EntityManager, workspace: string, version: string, profiles: Map<string, AutonomyProfile>, now: Date): Promise<void> {
  const actions = [...profiles.keys()];
  if (actions.length > 0) {
    await manager.query(
      `INSERT INTO ${serviceTable(manager, 'action_profiles')} (workspace, action, profile, manifest_version)
       SELECT $1::text, a, p, $4::text FROM UNNEST($2::text[], $3::jsonb[]) AS u(a, p)
       ON CONFLICT (workspace, action) DO UPDATE SET profile = EXCLUDED.profile, manifest_version = EXCLUDED.manifest_version`,
      [workspace, actions, actions.map((a) => JSON.stringify(profiles.get(a))), version],
    );
  }
  await manager.query(
    `INSERT INTO ${serviceTable(manager, 'manifest_syncs')} (workspace, manifest_version, synced_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [workspace, version, now],
  );
}

export interface ProbationRow extends ActiveProbation {
  workspace: string;
  action: string;
}

/** Starts one unless one is in force for the action; true when started. */
export async function startProbation(
  manager: EntityManager,
  p: {
    id: string;
    workspace: string;
    action: string;
    reason: string;
    manifest_version: string;
    decisions: number;
    approved_unchanged_rate: number;
    started_at: Date;
  },
): Promise<boolean> {
  const inserted: unknown[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'probations')} (id, workspace, action, reason, manifest_version, decisions, approved_unchanged_rate, started_at, state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active')
     ON CONFLICT (workspace, action) WHERE state = 'active' DO NOTHING RETURNING id`,
    [p.id, p.workspace, p.action, p.reason, p.manifest_version, p.decisions, p.approved_unchanged_rate, p.started_at],
  );
  return inserted.length > 0;
}

/**
 * Counts the reviews of decisions routed under a probation still in force, each decision once,
 * and locks those probations for this transaction; returns them after counting.
 */
export async function countReviews(
  manager: EntityManager,
  reviews: readonly { decision_id: string; approved_unchanged: boolean; reviewed_at: Date }[],
): Promise<ProbationRow[]> {
  if (reviews.length === 0) return [];
  // Locked first, in one order: the counts below then see every review another replica committed.
  const locked: { id: string }[] = await manager.query(
    `SELECT p.id FROM ${serviceTable(manager, 'probations')} p
      WHERE p.state = 'active' AND p.id IN (SELECT d.probation_id FROM ${serviceTable(manager, 'decisions')} d WHERE d.decision_id = ANY ($1::uuid[]))
      ORDER BY p.id FOR UPDATE`,
    [reviews.map((r) => r.decision_id)],
  );
  if (locked.length === 0) return [];
  const counted: { probation_id: string }[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'probation_reviews')} (decision_id, probation_id, approved_unchanged, reviewed_at)
     SELECT d.decision_id, d.probation_id, r.unchanged, r.at
       FROM UNNEST($1::uuid[], $2::bool[], $3::timestamptz[]) AS r(decision_id, unchanged, at)
       JOIN ${serviceTable(manager, 'decisions')} d ON d.decision_id = r.decision_id
       JOIN ${serviceTable(manager, 'probations')} p ON p.id = d.probation_id AND p.state = 'active'
     ON CONFLICT (decision_id) DO NOTHING
     RETURNING probation_id`,
    [reviews.map((r) => r.decision_id), reviews.map((r) => r.approved_unchanged), reviews.map((r) => r.reviewed_at)],
  );
  const ids = [...new Set(counted.map((c) => c.probation_id))].sort();
  if (ids.length === 0) return [];
  // TypeORM answers an UPDATE with [rows, count].
  const [counts]: [ProbationRow[], number] = await manager.query(
    `UPDATE ${serviceTable(manager, 'probations')} p
        SET reviewed = c.reviewed, approved_unchanged = c.unchanged
       FROM (SELECT probation_id, count(*)::int AS reviewed, (count(*) FILTER (WHERE approved_unchanged))::int AS unchanged
               FROM ${serviceTable(manager, 'probation_reviews')} WHERE probation_id = ANY ($1::uuid[]) GROUP BY probation_id) c
      WHERE p.id = c.probation_id AND p.state = 'active'
      RETURNING p.id, p.workspace, p.action, p.reason, p.decisions, p.approved_unchanged_rate, p.reviewed, p.approved_unchanged`,
    [ids],
  );
  return counts;
}

export async function graduate(manager: EntityManager, id: string, now: Date): Promise<boolean> {
  const [done]: [unknown[], number] = await manager.query(
    `UPDATE ${serviceTable(manager, 'probations')} SET state = 'graduated', over_at = $2 WHERE id = $1 AND state = 'active' RETURNING id`,
    [id, now],
  );
  return done.length > 0;
}

/** Ends it early (the owner's word, through an admin); false when it was not in force. */
export async function endProbation(manager: EntityManager, id: string, by: string, reason: string, at: Date): Promise<boolean> {
  const [done]: [unknown[], number] = await manager.query(
    `UPDATE ${serviceTable(manager, 'probations')} SET state = 'ended', over_at = $4, ended_by = $2, end_reason = $3 WHERE id = $1 AND state = 'active' RETURNING id`,
    [id, by, reason, at],
  );
  return done.length > 0;
}
