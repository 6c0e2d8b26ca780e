import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';
import { DecisionEntity } from './decision.entity';

export type NewDecision = Omit<DecisionEntity, 'routed_at'>;

const COLUMNS = [
  ['decision_id', 'uuid'],
  ['workspace', 'text'],
  ['agent_id', 'text'],
  ['action', 'text'],
  ['event_id', 'text'],
  ['content_hash', 'text'],
  ['verdict', 'text'],
  ['mode', 'text'],
  ['reasons', 'jsonb'],
  ['manifest_version', 'text'],
  ['approval_id', 'uuid'],
  ['post_review_approval_id', 'uuid'],
  ['confidence', 'float8'],
  ['decision', 'jsonb'],
] as const satisfies readonly (readonly [keyof NewDecision, string])[];

const JSONB = new Set<string>(['reasons', 'decision']);

/**
 * Records the decisions whose ids are not recorded yet, in one round trip; returns the
 * event ids of the rows it wrote. Of two copies of a decision in one call the first wins.
 */
export async function recordDecisions(manager: EntityManager, rows: readonly NewDecision[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const names = COLUMNS.map(([name]) => name).join(', ');
  const arrays = COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  const params = COLUMNS.map(([name]) =>
    rows.map((row) => {
      const value = row[name];
      // jsonb[] parameters travel as text; null stays SQL NULL.
      return JSONB.has(name) && value !== null ? JSON.stringify(value) : value;
    }),
  );
  const inserted: { event_id: string }[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'decisions')} (${names})
     SELECT ${names} FROM UNNEST(${arrays}) WITH ORDINALITY AS d(${names}, n) ORDER BY n
     ON CONFLICT (decision_id) DO NOTHING
     RETURNING event_id`,
    params,
  );
  return new Set(inserted.map((row) => row.event_id));
}

/** Records one decision unless one with its id exists; says whether it was new. */
export async function recordDecision(manager: EntityManager, row: NewDecision): Promise<boolean> {
  return (await recordDecisions(manager, [row])).has(row.event_id);
}

/** The recorded decisions of these ids (what a later copy is compared with). */
export async function findDecisions(
  manager: EntityManager,
  decisionIds: readonly string[],
): Promise<Map<string, Pick<DecisionEntity, 'event_id' | 'content_hash' | 'verdict'>>> {
  if (decisionIds.length === 0) return new Map();
  const rows: { decision_id: string; event_id: string; content_hash: string; verdict: string }[] = await manager.query(
    `SELECT decision_id, event_id, content_hash, verdict FROM ${serviceTable(manager, 'decisions')} WHERE decision_id = ANY($1::uuid[])`,
    [decisionIds],
  );
  return new Map(rows.map((row) => [row.decision_id, row]));
}
