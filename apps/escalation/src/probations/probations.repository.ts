import { Probation } from '@hitl/approvals';
import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';

/** One probations row, as PostgreSQL returns it. */
export interface ProbationRow {
  id: string;
  workspace: string;
  action: string;
  reason: string;
  manifest_version: string;
  decisions: number;
  approved_unchanged_rate: number;
  started_at: Date;
  state: Probation['state'];
  reviewed: number | null;
  approved_unchanged: number | null;
  ended_by: string | null;
  end_reason: string | null;
  ended_at: Date | null;
}

/** Probations a list reads at most: one per new or widened action, few; more is a manifest gone wrong. */
export const PROBATIONS_LIMIT = 500;

export function probationOf(row: ProbationRow): Probation {
  return {
    ...row,
    // double precision comes back as a number, integer too; said again in case a driver setting changes that.
    decisions: Number(row.decisions),
    approved_unchanged_rate: Number(row.approved_unchanged_rate),
    started_at: row.started_at.toISOString(),
    ended_at: row.ended_at?.toISOString() ?? null,
  };
}

const COLUMNS = [
  'id',
  'workspace',
  'action',
  'reason',
  'manifest_version',
  'decisions',
  'approved_unchanged_rate',
  'started_at',
  'state',
  'reviewed',
  'approved_unchanged',
  'ended_by',
  'end_reason',
  'ended_at',
] as const;

const valuesOf = (p: Probation) => COLUMNS.map((column) => p[column]);

/** One probation, locked for the rest of the transaction when `lock` (so an end and an event of it queue, and the second sees the first). */
export async function findProbation(manager: EntityManager, id: string, lock = false): Promise<Probation | null> {
  const rows: ProbationRow[] = await manager.query(`SELECT * FROM ${serviceTable(manager, 'probations')} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ? probationOf(rows[0]) : null;
}

/** A probation not known before; false when another transaction inserted it first (then lock it and merge). */
export async function insertProbation(manager: EntityManager, probation: Probation): Promise<boolean> {
  const inserted: unknown[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'probations')} (${COLUMNS.join(', ')})
     VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    valuesOf(probation),
  );
  return inserted.length > 0;
}

/** Writes a probation over its row (which the caller locked). */
export async function saveProbation(manager: EntityManager, probation: Probation): Promise<Probation> {
  const set = COLUMNS.slice(1)
    .map((column, i) => `${column} = $${i + 2}`)
    .join(', ');
  // TypeORM answers an UPDATE with [rows, count].
  const [rows]: [ProbationRow[], number] = await manager.query(
    `UPDATE ${serviceTable(manager, 'probations')} SET ${set} WHERE id = $1 RETURNING *`,
    valuesOf(probation),
  );
  if (!rows[0]) throw new Error(`probation ${probation.id} vanished inside the transaction that locked it`);
  return probationOf(rows[0]);
}

/** Probations in one state (null: any), in these workspaces (null: every one), the latest first. */
export async function listProbations(
  manager: EntityManager,
  state: Probation['state'] | null,
  workspaces: readonly string[] | null,
  limit = PROBATIONS_LIMIT,
): Promise<Probation[]> {
  const rows: ProbationRow[] = await manager.query(
    `SELECT * FROM ${serviceTable(manager, 'probations')}
      WHERE ($1::text IS NULL OR state = $1) AND ($2::text[] IS NULL OR workspace = ANY ($2))
      ORDER BY started_at DESC, id
      LIMIT $3`,
    [state, workspaces === null ? null : [...workspaces], limit],
  );
  return rows.map(probationOf);
}
