// The router's copy of operators' pauses: written by whichever replica consumes
// control.changed, read by every replica in each routing transaction.
import { ControlPausedData, ControlResumedData } from '@hitl/contracts';
import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';

export interface PauseRow {
  id: string;
  workspace: string;
  agent_id: string | null;
  action: string | null;
  effect: 'review' | 'block';
  reason: string;
  paused_by: string;
  paused_at: Date;
}

/** A pause as read; a copy of one already kept changes nothing, nor does a pause whose resume came first. */
export async function keepPause(manager: EntityManager, workspace: string, data: ControlPausedData, at: Date): Promise<boolean> {
  const inserted: unknown[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'pauses')} (id, workspace, agent_id, action, effect, reason, paused_by, paused_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [data.pause_id, workspace, data.agent_id, data.action, data.effect, data.reason, data.paused_by, at],
  );
  return inserted.length > 0;
}

/**
 * Ends a pause. Should its resume be read before the pause itself (a replay, a reordering),
 * the pause is kept as already resumed, so the pause that follows cannot start it again.
 */
export async function keepResume(
  manager: EntityManager,
  workspace: string,
  data: ControlResumedData,
  at: Date,
): Promise<'resumed' | 'already' | 'before_pause'> {
  // TypeORM answers an UPDATE with [rows, count].
  const [updated]: [unknown[], number] = await manager.query(
    `UPDATE ${serviceTable(manager, 'pauses')} SET resumed_by = $2, resumed_at = $3, resume_reason = $4
      WHERE id = $1 AND resumed_at IS NULL RETURNING id`,
    [data.pause_id, data.resumed_by, at, data.reason],
  );
  if (updated.length > 0) return 'resumed';
  const inserted: unknown[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'pauses')} (id, workspace, effect, reason, paused_by, paused_at, resumed_by, resumed_at, resume_reason)
     VALUES ($1, $2, 'review', '(its resume was read first)', $3, $4, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [data.pause_id, workspace, data.resumed_by, at, data.reason],
  );
  return inserted.length > 0 ? 'before_pause' : 'already';
}
