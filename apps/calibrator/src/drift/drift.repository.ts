// The drift watch's SQL: each action's latest outcomes and reviews (a sliding window per
// action, never a row per outcome to the service), the watches, and the owners' alerts.
import { Demotion, DriftWatch, RecentRecord } from '@hitl/calibration';
import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';

/** How far back a check looks: a window is the latest outcomes within it. */
const LOOKBACK_DAYS = 30;
/** The baseline of the approval rate: up to this many windows of reviews before the latest. */
const BASELINE_WINDOWS = 4;

// pg_advisory_xact_lock key: one replica checks at a time (the others skip that round).
const DRIFT_CHECK_LOCK = 0x44524946;

export async function tryLockCheck(manager: EntityManager): Promise<boolean> {
  const [row] = await manager.query('SELECT pg_try_advisory_xact_lock($1::int) AS locked', [DRIFT_CHECK_LOCK]);
  return row.locked;
}

/**
 * Per workspace and action: its latest `window` effective labels (latest label per decision,
 * else its post-review's verdict, as the report counts them) and how many were correct; its
 * latest `window` reviews before the action ran and how many were approved unchanged; and
 * the reviews before those, the baseline.
 */
export async function recentRecords(manager: EntityManager, now: Date, window: number): Promise<RecentRecord[]> {
  const since = new Date(now.getTime() - LOOKBACK_DAYS * 86_400_000);
  return manager.query(
    `WITH labeled AS (
       SELECT DISTINCT ON (decision_id) decision_id, correct, labeled_at AS at
         FROM ${serviceTable(manager, 'labels')}
        WHERE labeled_at >= $1 AND labeled_at <= $2
        ORDER BY decision_id, labeled_at DESC, event_id DESC
     ),
     verdicts AS (
       SELECT DISTINCT ON (p.decision_id) p.decision_id, p.state = 'reviewed' AS correct, p.ended_at AS at
         FROM ${serviceTable(manager, 'post_reviews')} p
        WHERE p.state IN ('reviewed', 'rolled_back') AND p.ended_at >= $1 AND p.ended_at <= $2
          AND NOT EXISTS (SELECT 1 FROM labeled l WHERE l.decision_id = p.decision_id)
        ORDER BY p.decision_id, p.state = 'rolled_back' DESC, p.ended_at, p.approval_id
     ),
     outcomes AS (
       SELECT d.workspace, d.action, e.correct,
              row_number() OVER (PARTITION BY d.workspace, d.action ORDER BY e.at DESC, e.decision_id) AS rn
         FROM (SELECT * FROM labeled UNION ALL SELECT * FROM verdicts) e
         JOIN ${serviceTable(manager, 'decisions')} d ON d.decision_id = e.decision_id
     ),
     accuracy AS (
       SELECT workspace, action, count(*)::int AS labeled, (count(*) FILTER (WHERE correct))::int AS correct
         FROM outcomes WHERE rn <= $3 GROUP BY workspace, action
     ),
     reviews AS (
       SELECT workspace, action, bool_and(status = 'approved' AND NOT edited) AS unchanged, max(resolved_at) AS at, decision_id
         FROM ${serviceTable(manager, 'resolutions')}
        WHERE resolved_by_kind = 'reviewer' AND resolved_at >= $1 AND resolved_at <= $2
        GROUP BY workspace, action, decision_id
     ),
     ranked AS (
       SELECT workspace, action, unchanged, row_number() OVER (PARTITION BY workspace, action ORDER BY at DESC, decision_id) AS rn FROM reviews
     ),
     approvals AS (
       SELECT workspace, action,
              (count(*) FILTER (WHERE rn <= $3))::int AS reviewed,
              (count(*) FILTER (WHERE rn <= $3 AND unchanged))::int AS approved_unchanged,
              (count(*) FILTER (WHERE rn > $3 AND rn <= $3 * (1 + ${BASELINE_WINDOWS})))::int AS baseline_reviewed,
              (count(*) FILTER (WHERE rn > $3 AND rn <= $3 * (1 + ${BASELINE_WINDOWS}) AND unchanged))::int AS baseline_approved_unchanged
         FROM ranked GROUP BY workspace, action
     )
     SELECT workspace, action,
            COALESCE(a.labeled, 0) AS labeled, COALESCE(a.correct, 0) AS correct,
            COALESCE(r.reviewed, 0) AS reviewed, COALESCE(r.approved_unchanged, 0) AS approved_unchanged,
            COALESCE(r.baseline_reviewed, 0) AS baseline_reviewed, COALESCE(r.baseline_approved_unchanged, 0) AS baseline_approved_unchanged
       FROM accuracy a FULL JOIN approvals r USING (workspace, action)
      ORDER BY workspace, action`,
    [since, now, window],
  );
}

export async function loadWatches(manager: EntityManager): Promise<DriftWatch[]> {
  const rows: { workspace: string; action: string; drifting: boolean; since: Date | null }[] = await manager.query(
    `SELECT workspace, action, drifting, since FROM ${serviceTable(manager, 'drift_watches')} ORDER BY workspace, action`,
  );
  return rows.map((r) => ({ ...r, since: r.since ? r.since.toISOString() : null }));
}

export async function saveWatches(manager: EntityManager, watches: readonly DriftWatch[], now: Date): Promise<void> {
  if (watches.length === 0) return;
  await manager.query(
    `INSERT INTO ${serviceTable(manager, 'drift_watches')} (workspace, action, drifting, since, checked_at)
     SELECT w.workspace, w.action, w.drifting, w.since, $5 FROM UNNEST($1::text[], $2::text[], $3::bool[], $4::timestamptz[]) AS w(workspace, action, drifting, since)
     ON CONFLICT (workspace, action) DO UPDATE SET drifting = EXCLUDED.drifting, since = EXCLUDED.since, checked_at = EXCLUDED.checked_at`,
    [watches.map((w) => w.workspace), watches.map((w) => w.action), watches.map((w) => w.drifting), watches.map((w) => w.since), now],
  );
}

export type AlertDelivery = 'pending' | 'sent' | 'failed' | 'no_route';

export interface OwnerAlertRow {
  id: string;
  workspace: string;
  action: string;
  owner: string | null;
  reasons: string[];
  demotion: Demotion | null;
  patch: string;
  created_at: string;
  delivery: AlertDelivery;
  attempts: number;
  last_error: string | null;
  delivered_at: string | null;
}

export async function insertAlert(manager: EntityManager, alert: Omit<OwnerAlertRow, 'attempts' | 'last_error' | 'delivered_at'>): Promise<void> {
  await manager.query(
    `INSERT INTO ${serviceTable(manager, 'owner_alerts')} (id, workspace, action, owner, reasons, demotion, patch, created_at, delivery, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $9 = 'pending' THEN $8::timestamptz END)`,
    [
      alert.id,
      alert.workspace,
      alert.action,
      alert.owner,
      JSON.stringify(alert.reasons),
      alert.demotion === null ? null : JSON.stringify(alert.demotion),
      alert.patch,
      alert.created_at,
      alert.delivery,
    ],
  );
}

const ALERT_COLUMNS = `id, workspace, action, owner, reasons, demotion, patch, created_at, delivery, attempts, last_error, delivered_at`;

type AlertRecord = Omit<OwnerAlertRow, 'created_at' | 'delivered_at'> & { created_at: Date; delivered_at: Date | null };
const toRow = (r: AlertRecord): OwnerAlertRow => ({ ...r, created_at: r.created_at.toISOString(), delivered_at: r.delivered_at?.toISOString() ?? null });

/** Alerts due to be posted, held (FOR UPDATE SKIP LOCKED) by this transaction. */
export async function lockDueAlerts(manager: EntityManager, now: Date, limit: number): Promise<OwnerAlertRow[]> {
  const rows: AlertRecord[] = await manager.query(
    `SELECT ${ALERT_COLUMNS} FROM ${serviceTable(manager, 'owner_alerts')}
      WHERE delivery = 'pending' AND next_attempt_at <= $1
      ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map(toRow);
}

export type AlertSettlement =
  | { delivery: 'sent'; attempts: number; at: Date }
  | { delivery: 'pending'; attempts: number; nextAttemptAt: Date; error: string }
  | { delivery: 'failed' | 'no_route'; attempts: number; error: string };

export async function settleAlert(manager: EntityManager, id: string, s: AlertSettlement): Promise<void> {
  await manager.query(
    `UPDATE ${serviceTable(manager, 'owner_alerts')}
        SET delivery = $2, attempts = $3, next_attempt_at = $4, last_error = $5, delivered_at = $6
      WHERE id = $1`,
    [
      id,
      s.delivery,
      s.attempts,
      s.delivery === 'pending' ? s.nextAttemptAt : null,
      s.delivery === 'sent' ? null : s.error,
      s.delivery === 'sent' ? s.at : null,
    ],
  );
}

/** The latest alerts, newest first; `workspaces` null: every workspace. */
export async function listAlerts(manager: EntityManager, workspaces: string[] | null, limit: number): Promise<OwnerAlertRow[]> {
  const rows: AlertRecord[] = await manager.query(
    `SELECT ${ALERT_COLUMNS} FROM ${serviceTable(manager, 'owner_alerts')}
      WHERE $1::text[] IS NULL OR workspace = ANY ($1)
      ORDER BY created_at DESC, id LIMIT $2`,
    [workspaces, limit],
  );
  return rows.map(toRow);
}

export async function findAlert(manager: EntityManager, id: string): Promise<OwnerAlertRow | null> {
  const [row]: AlertRecord[] = await manager.query(`SELECT ${ALERT_COLUMNS} FROM ${serviceTable(manager, 'owner_alerts')} WHERE id = $1`, [id]);
  return row ? toRow(row) : null;
}

/** Where each action's watch stands (for GET /drift). */
export async function listWatches(manager: EntityManager, workspaces: string[] | null): Promise<(DriftWatch & { checked_at: string })[]> {
  const rows: { workspace: string; action: string; drifting: boolean; since: Date | null; checked_at: Date }[] = await manager.query(
    `SELECT workspace, action, drifting, since, checked_at FROM ${serviceTable(manager, 'drift_watches')}
      WHERE $1::text[] IS NULL OR workspace = ANY ($1) ORDER BY workspace, action`,
    [workspaces],
  );
  return rows.map((r) => ({ ...r, since: r.since?.toISOString() ?? null, checked_at: r.checked_at.toISOString() }));
}
