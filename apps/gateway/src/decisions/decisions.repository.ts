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

export interface ClarificationRow {
  clarification_id: string;
  decision_id: string;
  approval_id: string;
  question: string;
  requested_by: string;
  asked_at: Date;
  answer: string | null;
  answered_at: Date | null;
}

/** A reviewer's question about one of the gateway's decisions; false when it is not one of them, or was kept before. */
export async function keepClarification(manager: EntityManager, c: Omit<ClarificationRow, 'answer' | 'answered_at'>): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'clarifications')} (clarification_id, decision_id, approval_id, question, requested_by, asked_at)
     SELECT $1::uuid, d.decision_id, $3::uuid, $4::text, $5::text, $6::timestamptz FROM ${serviceTable(manager, 'decisions')} d WHERE d.decision_id = $2::uuid
     ON CONFLICT (clarification_id) DO NOTHING RETURNING clarification_id`,
    [c.clarification_id, c.decision_id, c.approval_id, c.question, c.requested_by, c.asked_at],
  );
  return rows.length > 0;
}

export function clarificationsOf(manager: EntityManager, decisionId: string): Promise<ClarificationRow[]> {
  return manager.query(`SELECT * FROM ${serviceTable(manager, 'clarifications')} WHERE decision_id = $1 ORDER BY asked_at, clarification_id`, [decisionId]);
}

/** The agent's answer, once: false when it was answered before. */
export async function answerClarification(manager: EntityManager, clarificationId: string, answer: string, at: Date): Promise<boolean> {
  const [rows]: [unknown[], number] = await manager.query(
    `UPDATE ${serviceTable(manager, 'clarifications')} SET answer = $2, answered_at = $3 WHERE clarification_id = $1 AND answer IS NULL RETURNING clarification_id`,
    [clarificationId, answer, at],
  );
  return rows.length > 0;
}
