import { RunningClocks } from '@hitl/approvals';
import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';
import { ApprovalRow, SELECT_APPROVAL } from '../approval-store/approval-store.repository';

/** One clarifications row, as PostgreSQL returns it. */
export interface ClarificationRow {
  clarification_id: string;
  approval_id: string;
  question: string;
  requested_by: string;
  requested_at: Date;
  answer: string | null;
  provided_by: string | null;
  answered_at: Date | null;
}

/** One clarification, locked for the rest of the transaction (lock its approval first). */
export async function lockClarification(manager: EntityManager, clarificationId: string): Promise<ClarificationRow | null> {
  const rows = await manager.query(`SELECT * FROM ${serviceTable(manager, 'clarifications')} WHERE clarification_id = $1 FOR UPDATE`, [clarificationId]);
  return rows[0] ?? null;
}

export async function answerClarification(
  manager: EntityManager,
  clarificationId: string,
  answer: string,
  providedBy: string,
  answeredAt: Date,
): Promise<void> {
  await manager.query(`UPDATE ${serviceTable(manager, 'clarifications')} SET answer = $2, provided_by = $3, answered_at = $4 WHERE clarification_id = $1`, [
    clarificationId,
    answer,
    providedBy,
    answeredAt,
  ]);
}

/** An approval's questions and answers, oldest first. */
export function clarificationsOf(manager: EntityManager, approvalId: string): Promise<ClarificationRow[]> {
  return manager.query(`SELECT * FROM ${serviceTable(manager, 'clarifications')} WHERE approval_id = $1 ORDER BY requested_at, clarification_id`, [approvalId]);
}

/** Status `pending` again, with the deadlines the paused clocks give. */
export async function resumeApproval(manager: EntityManager, approvalId: string, clocks: RunningClocks): Promise<void> {
  await manager.query(
    `UPDATE ${serviceTable(manager, 'approvals')}
        SET status = 'pending', sla_deadline = $2, expires_at = $3, paused_sla_ms = NULL, paused_expiry_ms = NULL, clarification_deadline = NULL
      WHERE approval_id = $1`,
    [approvalId, clocks.slaDeadline, clocks.expiresAt],
  );
}

/** Approvals whose clarification went unanswered past its limit, locked; other replicas skip these rows. */
export function lockLapsedClarifications(manager: EntityManager, now: Date, limit: number): Promise<ApprovalRow[]> {
  return manager.query(
    `${SELECT_APPROVAL(manager)}
      WHERE a.status = 'clarifying' AND a.clarification_deadline <= $1
      ORDER BY a.clarification_deadline
      LIMIT $2
      FOR UPDATE OF a SKIP LOCKED`,
    [now, limit],
  );
}
