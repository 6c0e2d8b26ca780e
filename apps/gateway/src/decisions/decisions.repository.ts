import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';

/** One decisions row, as PostgreSQL returns it. */
export interface DecisionRow {
  decision_id: string;
  agent_id: string;
  workspace: string;
  action: string;
  payload_hash: string;
  proposed_at: Date;
  proposal: Record<string, unknown>;
  resolution: Record<string, unknown> | null;
  resolved_at: Date | null;
  executed_at?: Date | null;
}

/** A proposal made for the first time; false when the id was taken (a retry, a concurrent copy, or another agent's id). */
export async function insertDecision(manager: EntityManager, row: Omit<DecisionRow, 'resolution' | 'resolved_at'>): Promise<boolean> {
  const inserted: unknown[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'decisions')} (decision_id, agent_id, workspace, action, payload_hash, proposed_at, proposal)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (decision_id) DO NOTHING RETURNING decision_id`,
    [row.decision_id, row.agent_id, row.workspace, row.action, row.payload_hash, row.proposed_at, JSON.stringify(row.proposal)],
  );
  return inserted.length > 0;
}

export async function findDecision(manager: EntityManager, decisionId: string): Promise<DecisionRow | null> {
  const rows: DecisionRow[] = await manager.query(`SELECT * FROM ${serviceTable(manager, 'decisions')} WHERE decision_id = $1`, [decisionId]);
  return rows[0] ?? null;
}

/** The gateway's decisions among these ids that still wait for their outcome, locked so two replicas keep each outcome once. */
export async function lockPending(manager: EntityManager, decisionIds: readonly string[]): Promise<DecisionRow[]> {
  if (decisionIds.length === 0) return [];
  return manager.query(`SELECT * FROM ${serviceTable(manager, 'decisions')} WHERE decision_id = ANY ($1::uuid[]) AND resolution IS NULL FOR UPDATE`, [
    [...decisionIds],
  ]);
}

export async function keepResolution(manager: EntityManager, decisionId: string, event: Record<string, unknown>, at: Date): Promise<void> {
  await manager.query(`UPDATE ${serviceTable(manager, 'decisions')} SET resolution = $2, resolved_at = $3 WHERE decision_id = $1 AND resolution IS NULL`, [
    decisionId,
    JSON.stringify(event),
    at,
  ]);
}

/** The agent's report of what ran, once: false when one was recorded before (the row is locked by the caller). */
export async function recordExecution(manager: EntityManager, decisionId: string, execution: Record<string, unknown>, at: Date): Promise<boolean> {
  const [rows]: [unknown[], number] = await manager.query(
    `UPDATE ${serviceTable(manager, 'decisions')} SET executed_at = $3, execution = $2 WHERE decision_id = $1 AND executed_at IS NULL RETURNING decision_id`,
    [decisionId, JSON.stringify(execution), at],
  );
  return rows.length > 0;
}

/** One decision, locked for the rest of the transaction. */
export async function lockDecision(manager: EntityManager, decisionId: string): Promise<DecisionRow | null> {
  const rows: DecisionRow[] = await manager.query(`SELECT * FROM ${serviceTable(manager, 'decisions')} WHERE decision_id = $1 FOR UPDATE`, [decisionId]);
  return rows[0] ?? null;
}
