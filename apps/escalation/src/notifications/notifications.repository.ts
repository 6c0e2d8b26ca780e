import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';
import { PlacementKind, SlackMessage } from './notification-message';

export interface NewNotification {
  approval_id: string;
  kind: PlacementKind;
  role: string;
  reviewer_id: string | null;
  message: SlackMessage;
}

export async function insertNotification(manager: EntityManager, n: NewNotification): Promise<void> {
  await manager.query(`INSERT INTO ${serviceTable(manager, 'notifications')} (approval_id, kind, role, reviewer_id, message) VALUES ($1, $2, $3, $4, $5)`, [
    n.approval_id,
    n.kind,
    n.role,
    n.reviewer_id,
    JSON.stringify(n.message),
  ]);
}

export async function reviewerName(manager: EntityManager, id: string): Promise<string | null> {
  const rows: { name: string }[] = await manager.query(`SELECT name FROM ${serviceTable(manager, 'reviewers')} WHERE id = $1`, [id]);
  return rows[0]?.name ?? null;
}

/** A notification whose time has come, with what decides whether it is still worth posting. */
export interface DueNotification {
  id: string;
  approval_id: string;
  role: string;
  message: SlackMessage;
  attempts: number;
  approval_status: string;
  /** A later notification about the same approval exists: this one is out of date. */
  superseded: boolean;
}

/**
 * Notifications due at `now`, locked for the rest of the transaction; other replicas skip
 * them. Only the notifications are locked, never the approvals (decisions do not wait on a webhook).
 */
export function lockDueNotifications(manager: EntityManager, now: Date, limit: number): Promise<DueNotification[]> {
  const notifications = serviceTable(manager, 'notifications');
  return manager.query(
    `SELECT n.id, n.approval_id, n.role, n.message, n.attempts, a.status AS approval_status,
            EXISTS (SELECT 1 FROM ${notifications} later WHERE later.approval_id = n.approval_id AND later.id > n.id) AS superseded
       FROM ${notifications} n JOIN ${serviceTable(manager, 'approvals')} a ON a.approval_id = n.approval_id
      WHERE n.status = 'pending' AND n.next_attempt_at <= $1
      ORDER BY n.next_attempt_at, n.id
      LIMIT $2
      FOR UPDATE OF n SKIP LOCKED`,
    [now, limit],
  );
}

export type Settlement =
  | { status: 'sent'; attempts: number }
  | { status: 'pending'; attempts: number; nextAttemptAt: Date; error: string }
  | { status: 'failed' | 'skipped'; attempts: number; error: string };

export async function settleNotification(manager: EntityManager, id: string, s: Settlement): Promise<void> {
  await manager.query(
    `UPDATE ${serviceTable(manager, 'notifications')}
        SET status = $2, attempts = $3, last_error = $4,
            next_attempt_at = COALESCE($5, next_attempt_at),
            sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END
      WHERE id = $1`,
    [id, s.status, s.attempts, 'error' in s ? s.error : null, s.status === 'pending' ? s.nextAttemptAt : null],
  );
}

/** Marks a link's nonce used; false when it already was (a replay, or a second click). */
export async function claimLinkNonce(
  manager: EntityManager,
  claim: { nonce: string; approval_id: string; reviewer_id: string; act: string },
): Promise<boolean> {
  const rows = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'used_links')} (nonce, approval_id, reviewer_id, act) VALUES ($1, $2, $3, $4)
     ON CONFLICT (nonce) DO NOTHING RETURNING nonce`,
    [claim.nonce, claim.approval_id, claim.reviewer_id, claim.act],
  );
  return rows.length === 1;
}

/** Gives a nonce back when the decision failed for a reason the reviewer can retry (the service, not the link). */
export async function releaseLinkNonce(manager: EntityManager, nonce: string): Promise<void> {
  await manager.query(`DELETE FROM ${serviceTable(manager, 'used_links')} WHERE nonce = $1`, [nonce]);
}

export async function linkNonceUsed(manager: EntityManager, nonce: string): Promise<{ act: string; used_at: Date } | null> {
  const rows = await manager.query(`SELECT act, used_at FROM ${serviceTable(manager, 'used_links')} WHERE nonce = $1`, [nonce]);
  return rows[0] ?? null;
}
