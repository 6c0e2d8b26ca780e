import { ParameterError, RepairAttempt } from '@hitl/policy';
import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';
import { ControlsInForce, ControlsRow, controlsOf, controlsSql } from './controls.repository';
import { DecisionEntity } from './decision.entity';
import { RecordedOutcome } from './outcome-events';

export type NewDecision = DecisionEntity;

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
  ['signed', 'bool'],
  ['repair_of', 'uuid'],
  ['repair_chain', 'uuid'],
  ['attempt', 'int4'],
  ['parameter_errors', 'jsonb'],
  ['probation_id', 'uuid'],
  ['outcome_plans', 'jsonb'],
  ['outcome_event_ids', 'jsonb'],
  ['routed_at', 'timestamptz'],
] as const satisfies readonly (readonly [keyof NewDecision, string])[];

const NAMES = COLUMNS.map(([name]) => name).join(', ');
const RECORD_TYPE = COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');

/**
 * The new rows, from `$1` (newRowsParameter), in their order (`n`): the chunk's rows as one
 * jsonb parameter read back by jsonb_to_recordset, one JSON.stringify for the chunk, nested
 * jsonb values without a second encoding.
 */
const NEW_ROWS = `SELECT ${NAMES} FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (${RECORD_TYPE})) WITH ORDINALITY AS d(${NAMES}, n)`;

function newRowsParameter(rows: readonly NewDecision[]): string {
  return JSON.stringify(rows.map((row) => Object.fromEntries(COLUMNS.map(([name]) => [name, row[name]]))));
}

/**
 * Records the decisions whose ids are not recorded yet, in one round trip; returns the
 * event ids of the rows it wrote. Of two copies of a decision in one call the first wins.
 */
export async function recordDecisions(manager: EntityManager, rows: readonly NewDecision[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted: { event_id: string }[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'decisions')} (${NAMES})
     ${NEW_ROWS} ORDER BY n
     ON CONFLICT (decision_id) DO NOTHING
     RETURNING event_id`,
    [newRowsParameter(rows)],
  );
  return new Set(inserted.map((row) => row.event_id));
}

/**
 * recordDecisions, on the condition that the controls in force in `workspaces` are still the
 * ones the rows were routed under (their `fingerprint`), read in the same statement: a
 * routing transaction then needs no statement of its own to read them. When they changed
 * (a pause or a probation kept since they were read), nothing is written and they are
 * returned, to route again under them.
 */
export async function recordDecisionsUnder(
  manager: EntityManager,
  rows: readonly NewDecision[],
  workspaces: readonly string[],
  fingerprint: string,
): Promise<{ written: Set<string> } | { changed: ControlsInForce }> {
  const [result]: (ControlsRow & { written: string[] })[] = await manager.query(
    `WITH controls AS (${controlsSql(manager, 2)}),
     written AS (
       INSERT INTO ${serviceTable(manager, 'decisions')} (${NAMES})
       ${NEW_ROWS}
        WHERE (SELECT fingerprint FROM controls) = $3
        ORDER BY n
       ON CONFLICT (decision_id) DO NOTHING
       RETURNING event_id)
     SELECT controls.*, coalesce((SELECT array_agg(event_id) FROM written), '{}') AS written FROM controls`,
    [newRowsParameter(rows), [...new Set(workspaces)], fingerprint],
  );
  return result.fingerprint === fingerprint ? { written: new Set(result.written) } : { changed: controlsOf(result) };
}

/** Records one decision unless one with its id exists; says whether it was new. */
export async function recordDecision(manager: EntityManager, row: NewDecision): Promise<boolean> {
  return (await recordDecisions(manager, [row])).has(row.event_id);
}

/** A recorded decision as a later copy is compared with it, and its events emitted again. */
export type RecordedDecision = RecordedOutcome & Pick<DecisionEntity, 'decision_id' | 'event_id' | 'content_hash'>;

/** The recorded decisions of these ids (what a later copy is compared with). */
export async function findDecisions(manager: EntityManager, decisionIds: readonly string[]): Promise<Map<string, RecordedDecision>> {
  if (decisionIds.length === 0) return new Map();
  const rows: RecordedDecision[] = await manager.query(
    `SELECT decision_id, event_id, content_hash, workspace, decision, verdict, reasons, manifest_version, approval_id, post_review_approval_id,
            outcome_plans, outcome_event_ids, routed_at
       FROM ${serviceTable(manager, 'decisions')} WHERE decision_id = ANY($1::uuid[])`,
    [decisionIds],
  );
  return new Map(rows.map((row) => [row.decision_id, row]));
}

/** What the router recorded of a decision a repair names, and of its chain. */
export interface RecordedRepairTarget {
  decision_id: string;
  workspace: string;
  agent_id: string | null;
  action: string;
  signed: boolean;
  verdict: string;
  parameter_errors: ParameterError[] | null;
  repair_chain: string;
  attempt: number;
  /** The decision that already repairs it, if any. */
  repaired_by: string | null;
}

/**
 * The decisions that repairs name, locked until the chunk commits: two repairs of one attempt
 * (a fork, on two partitions at once) queue here, and the second then sees the first.
 */
export async function lockRepairTargets(manager: EntityManager, decisionIds: readonly string[]): Promise<Map<string, RecordedRepairTarget>> {
  if (decisionIds.length === 0) return new Map();
  const table = serviceTable(manager, 'decisions');
  const rows: Omit<RecordedRepairTarget, 'repaired_by'>[] = await manager.query(
    `SELECT decision_id, workspace, agent_id, action, signed, verdict, parameter_errors, COALESCE(repair_chain, decision_id) AS repair_chain, attempt
       FROM ${table} WHERE decision_id = ANY($1::uuid[]) ORDER BY decision_id FOR UPDATE`,
    [[...new Set(decisionIds)]],
  );
  // A statement of its own, after the lock: it sees a repair committed while we waited.
  const repairs: { repair_of: string; decision_id: string }[] = await manager.query(
    `SELECT repair_of, decision_id FROM ${table} WHERE repair_of = ANY($1::uuid[])`,
    [rows.map((row) => row.decision_id)],
  );
  const repairedBy = new Map(repairs.map((r) => [r.repair_of, r.decision_id]));
  return new Map(rows.map((row) => [row.decision_id, { ...row, repaired_by: repairedBy.get(row.decision_id) ?? null }]));
}

/** Every recorded attempt of these chains, oldest first (parameters as proposed, errors as found). */
export async function chainAttempts(manager: EntityManager, chains: readonly string[]): Promise<Map<string, RepairAttempt[]>> {
  const byChain = new Map<string, RepairAttempt[]>();
  if (chains.length === 0) return byChain;
  const rows: {
    repair_chain: string;
    decision_id: string;
    attempt: number;
    parameters: Record<string, unknown> | null;
    parameter_errors: ParameterError[] | null;
  }[] = await manager.query(
    `SELECT repair_chain, decision_id, attempt, decision->'parameters' AS parameters, parameter_errors
         FROM ${serviceTable(manager, 'decisions')} WHERE repair_chain = ANY($1::uuid[]) ORDER BY repair_chain, attempt`,
    [[...new Set(chains)]],
  );
  for (const row of rows) {
    const list = byChain.get(row.repair_chain) ?? [];
    list.push({ decision_id: row.decision_id, attempt: row.attempt, parameters: row.parameters ?? {}, errors: row.parameter_errors ?? [] });
    byChain.set(row.repair_chain, list);
  }
  return byChain;
}
