import { Pause } from '@hitl/approvals';
import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';

/** One pauses row, as PostgreSQL returns it. */
export interface PauseRow {
  id: string;
  workspace: string;
  agent_id: string | null;
  action: string | null;
  effect: Pause['effect'];
  reason: string;
  paused_by: string;
  paused_at: Date;
  resumed_by: string | null;
  resumed_at: Date | null;
  resume_reason: string | null;
}

/** Pauses a list reads at most: pauses are few (each is a person's deliberate act); more is a script gone wrong. */
export const PAUSES_LIMIT = 500;

export function pauseOf(row: PauseRow): Pause {
  return { ...row, paused_at: row.paused_at.toISOString(), resumed_at: row.resumed_at?.toISOString() ?? null };
}

export async function insertPause(manager: EntityManager, pause: Omit<Pause, 'resumed_by' | 'resumed_at' | 'resume_reason'>): Promise<Pause> {
  const rows: PauseRow[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'pauses')} (id, workspace, agent_id, action, effect, reason, paused_by, paused_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     RETURNING *`,
    [pause.id, pause.workspace, pause.agent_id, pause.action, pause.effect, pause.reason, pause.paused_by, pause.paused_at],
  );
  return pauseOf(rows[0]);
}

/** One pause, locked for the rest of the transaction when `lock` (so two resumes of it queue, and the second sees the first). */
export async function findPause(manager: EntityManager, id: string, lock = false): Promise<Pause | null> {
  const rows: PauseRow[] = await manager.query(`SELECT * FROM ${serviceTable(manager, 'pauses')} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ? pauseOf(rows[0]) : null;
}

export async function resumePause(manager: EntityManager, id: string, resume: { by: string; at: Date; reason: string }): Promise<Pause> {
  // TypeORM answers an UPDATE with [rows, count].
  const [rows]: [PauseRow[], number] = await manager.query(
    `UPDATE ${serviceTable(manager, 'pauses')}
        SET resumed_by = $2, resumed_at = $3, resume_reason = $4
      WHERE id = $1 AND resumed_at IS NULL
      RETURNING *`,
    [id, resume.by, resume.at, resume.reason],
  );
  if (!rows[0]) throw new Error(`pause ${id} was not active inside the transaction that locked it`);
  return pauseOf(rows[0]);
}

/** Pauses in force (`active`) or resumed, in these workspaces (null: every one), the latest first. */
export async function listPauses(manager: EntityManager, active: boolean, workspaces: readonly string[] | null, limit = PAUSES_LIMIT): Promise<Pause[]> {
  const rows: PauseRow[] = await manager.query(
    `SELECT * FROM ${serviceTable(manager, 'pauses')}
      WHERE (resumed_at IS NULL) = $1 AND ($2::text[] IS NULL OR workspace = ANY ($2))
      ORDER BY paused_at DESC, id
      LIMIT $3`,
    [active, workspaces === null ? null : [...workspaces], limit],
  );
  return rows.map(pauseOf);
}

/** The pauses in force in these workspaces (what may cover a page of approvals: one query per page). */
export function activePauses(manager: EntityManager, workspaces: readonly string[]): Promise<Pause[]> {
  if (workspaces.length === 0) return Promise.resolve([]);
  return listPauses(manager, true, [...new Set(workspaces)]);
}
