import { Handoff } from '@hitl/approvals';
import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';

/** One handoffs row, as PostgreSQL returns it. */
interface HandoffRow extends Omit<Handoff, 'requested_at' | 'sla_deadline' | 'taken_at' | 'returned_at'> {
  requested_at: Date;
  sla_deadline: Date | null;
  taken_at: Date | null;
  returned_at: Date | null;
}

/** Handoffs a list reads at most: people work a handful at a time; more waiting is an outage to page about, not a page to scroll. */
export const HANDOFFS_LIMIT = 200;

const iso = (d: Date | null) => d?.toISOString() ?? null;

function handoffOf(row: HandoffRow): Handoff {
  return {
    ...row,
    sla_minutes: Number(row.sla_minutes),
    requested_at: row.requested_at.toISOString(),
    sla_deadline: iso(row.sla_deadline),
    taken_at: iso(row.taken_at),
    returned_at: iso(row.returned_at),
  };
}

const COLUMNS = [
  'id',
  'workspace',
  'agent_id',
  'session_id',
  'replica_id',
  'on_behalf_of',
  'reason',
  'transcript',
  'checkpoint',
  'requested_at',
  'state',
  'escalation_path',
  'tier',
  'sla_minutes',
  'sla_deadline',
  'taken_by',
  'taken_at',
  'returned_by',
  'returned_at',
  'notes',
  'reply',
] as const;

const JSON_COLUMNS = new Set<string>(['transcript', 'checkpoint']);
const valuesOf = (h: Handoff) => COLUMNS.map((c) => (JSON_COLUMNS.has(c) && h[c] !== null ? JSON.stringify(h[c]) : h[c]));

/** A handoff requested for the first time; false when it is known already (the request came again). */
export async function insertHandoff(manager: EntityManager, handoff: Handoff): Promise<boolean> {
  const inserted: unknown[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'handoffs')} (${COLUMNS.join(', ')})
     VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    valuesOf(handoff),
  );
  return inserted.length > 0;
}

/** One handoff, locked for the rest of the transaction when `lock` (two people taking it at once: the second waits and finds it taken). */
export async function findHandoff(manager: EntityManager, id: string, lock = false): Promise<Handoff | null> {
  const rows: HandoffRow[] = await manager.query(`SELECT * FROM ${serviceTable(manager, 'handoffs')} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ? handoffOf(rows[0]) : null;
}

/** Writes a handoff over its row (which the caller locked). */
export async function saveHandoff(manager: EntityManager, handoff: Handoff): Promise<Handoff> {
  const set = COLUMNS.slice(1)
    .map((column, i) => `${column} = $${i + 2}`)
    .join(', ');
  // TypeORM answers an UPDATE with [rows, count].
  const [rows]: [HandoffRow[], number] = await manager.query(
    `UPDATE ${serviceTable(manager, 'handoffs')} SET ${set} WHERE id = $1 RETURNING *`,
    valuesOf(handoff),
  );
  if (!rows[0]) throw new Error(`handoff ${handoff.id} vanished inside the transaction that locked it`);
  return handoffOf(rows[0]);
}

/** Open handoffs past their deadline, locked so each is escalated by one replica only. */
export async function lockDueHandoffs(manager: EntityManager, now: Date, limit: number): Promise<Handoff[]> {
  const rows: HandoffRow[] = await manager.query(
    `SELECT * FROM ${serviceTable(manager, 'handoffs')}
      WHERE state = 'open' AND sla_deadline <= $1
      ORDER BY sla_deadline
      LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map(handoffOf);
}

/** Handoffs of these workspaces (null: every one), waiting (open or taken) or all, the oldest request first. */
export async function listHandoffs(
  manager: EntityManager,
  waitingOnly: boolean,
  workspaces: readonly string[] | null,
  limit = HANDOFFS_LIMIT,
): Promise<Handoff[]> {
  const rows: HandoffRow[] = await manager.query(
    `SELECT * FROM ${serviceTable(manager, 'handoffs')}
      WHERE (NOT $1 OR state IN ('open', 'taken')) AND ($2::text[] IS NULL OR workspace = ANY ($2))
      ORDER BY ${waitingOnly ? 'requested_at' : 'requested_at DESC'}, id
      LIMIT $3`,
    [waitingOnly, workspaces === null ? null : [...workspaces], limit],
  );
  return rows.map(handoffOf);
}
