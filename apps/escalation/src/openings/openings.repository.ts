import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';

/** Records `reviewerId`'s first opening of an approval; says whether this was it (a later one changes nothing). */
export async function recordOpening(manager: EntityManager, approvalId: string, reviewerId: string, at: Date): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'approval_openings')} (approval_id, reviewer_id, opened_at) VALUES ($1, $2, $3)
     ON CONFLICT (approval_id, reviewer_id) DO NOTHING
     RETURNING approval_id`,
    [approvalId, reviewerId, at],
  );
  return rows.length === 1;
}

/** Whether `reviewerId` opened the approval already: the read that needs no transaction. */
export async function hasOpened(manager: EntityManager, approvalId: string, reviewerId: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(`SELECT 1 FROM ${serviceTable(manager, 'approval_openings')} WHERE approval_id = $1 AND reviewer_id = $2`, [
    approvalId,
    reviewerId,
  ]);
  return rows.length > 0;
}
