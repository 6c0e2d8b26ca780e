import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';
import { Channel, NotificationKind, SlackMessage } from './notification-message';

export interface NewNotification {
  /** Null for what is about no approval (a token issued, a handoff). */
  approval_id: string | null;
  /** The handoff it is about; null for anything else. */
  handoff_id?: string | null;
  kind: NotificationKind;
  channel: Channel;
  /** The role whose channel it goes to (channel `role`), or the role of the placement. */
  role: string | null;
  reviewer_id: string | null;
  /** The event of the placement it tells of: the messages of one placement share it. */
  placement_id: string | null;
  message: SlackMessage;
}

export async function insertNotifications(manager: EntityManager, list: readonly NewNotification[]): Promise<void> {
  for (const n of list) {
    await manager.query(
      `INSERT INTO ${serviceTable(manager, 'notifications')} (approval_id, handoff_id, kind, channel, role, reviewer_id, placement_id, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [n.approval_id, n.handoff_id ?? null, n.kind, n.channel, n.role, n.reviewer_id, n.placement_id, JSON.stringify(n.message)],
    );
  }
}

/** A reviewer as a notification names and reaches them. */
export async function reviewerContact(manager: EntityManager, id: string): Promise<{ name: string; webhook: string | null } | null> {
  const rows: { name: string; webhook: string | null }[] = await manager.query(
    `SELECT name, notify_webhook AS webhook FROM ${serviceTable(manager, 'reviewers')} WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/** A notification whose time has come, with what decides whether it is still worth posting. */
export interface DueNotification {
  id: string;
  approval_id: string | null;
  channel: Channel;
  role: string | null;
  reviewer_id: string | null;
  message: SlackMessage;
  attempts: number;
  /** Null for a notification about no approval. */
  approval_status: string | null;
  handoff_id: string | null;
  /** Null for a notification about no handoff. */
  handoff_state: string | null;
  /** A notification of a later placement of the same approval exists: this one is out of date. */
  superseded: boolean;
  /** Channel `reviewer`: the reviewer's own webhook as the directory has it now (null: none any more). A credential: never logged. */
  reviewer_webhook: string | null;
}

/**
 * Notifications due at `now`, locked for the rest of the transaction; other replicas skip
 * them. Only the notifications are locked, never the approvals (decisions do not wait on a webhook).
 */
export function lockDueNotifications(manager: EntityManager, now: Date, limit: number): Promise<DueNotification[]> {
  const notifications = serviceTable(manager, 'notifications');
  return manager.query(
    `SELECT n.id, n.approval_id, n.channel, n.role, n.reviewer_id, n.message, n.attempts, a.status AS approval_status,
            n.handoff_id, h.state AS handoff_state,
            EXISTS (SELECT 1 FROM ${notifications} later
                     WHERE (later.approval_id = n.approval_id OR later.handoff_id = n.handoff_id) AND later.id > n.id
                       AND (later.placement_id IS NULL OR n.placement_id IS NULL OR later.placement_id <> n.placement_id)) AS superseded,
            CASE WHEN n.channel = 'reviewer' THEN r.notify_webhook END AS reviewer_webhook
       FROM ${notifications} n
       LEFT JOIN ${serviceTable(manager, 'approvals')} a ON a.approval_id = n.approval_id
       LEFT JOIN ${serviceTable(manager, 'handoffs')} h ON h.id = n.handoff_id
       LEFT JOIN ${serviceTable(manager, 'reviewers')} r ON r.id = n.reviewer_id
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
