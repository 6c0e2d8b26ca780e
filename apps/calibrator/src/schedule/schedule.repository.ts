import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';

export interface ScheduleRow {
  name: string;
  cron: string;
  next_run_at: Date;
}

/** Creates the schedule's row, or re-plans it when its cron expression changed; an unchanged one keeps its slot (even a missed one). */
export async function ensureSchedule(manager: EntityManager, name: string, cron: string, next: Date): Promise<ScheduleRow> {
  await manager.query(
    `INSERT INTO ${serviceTable(manager, 'schedule')} AS s (name, cron, next_run_at) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET cron = EXCLUDED.cron, next_run_at = EXCLUDED.next_run_at WHERE s.cron <> EXCLUDED.cron`,
    [name, cron, next],
  );
  const [row] = await manager.query(`SELECT name, cron, next_run_at FROM ${serviceTable(manager, 'schedule')} WHERE name = $1`, [name]);
  return row;
}

/** The schedule's row when its slot is due and no other replica holds it; locked until the transaction ends. */
export async function claimDueSlot(manager: EntityManager, name: string, now: Date): Promise<ScheduleRow | null> {
  const [row] = await manager.query(
    `SELECT name, cron, next_run_at FROM ${serviceTable(manager, 'schedule')} WHERE name = $1 AND next_run_at <= $2 FOR UPDATE SKIP LOCKED`,
    [name, now],
  );
  return row ?? null;
}

export async function completeSlot(manager: EntityManager, name: string, ranAt: Date, reportId: string, next: Date): Promise<void> {
  await manager.query(`UPDATE ${serviceTable(manager, 'schedule')} SET last_run_at = $2, last_report_id = $3, next_run_at = $4 WHERE name = $1`, [
    name,
    ranAt,
    reportId,
    next,
  ]);
}
