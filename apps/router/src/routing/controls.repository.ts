import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';
import { PauseRow } from '../pauses/pauses.repository';
import { ProbationRow } from '../probation/probation.repository';

/** What holds back a chunk's routing: the pauses and the probations in force in its workspaces. */
export interface ControlsInForce {
  /** Oldest first. */
  pauses: PauseRow[];
  probations: ProbationRow[];
  /** The two as the database wrote them: equal fingerprints, equal controls (see recordDecisionsUnder). */
  fingerprint: string;
}

/**
 * One row: the pauses and the probations in force in the workspaces `$<param>` names, as JSON
 * in a fixed order, and `fingerprint`, their text.
 */
export function controlsSql(manager: EntityManager, param: number): string {
  return `SELECT pauses, probations, pauses::text || E'\\n' || probations::text AS fingerprint FROM (SELECT
       (SELECT coalesce(json_agg(p ORDER BY p.paused_at, p.id), '[]')
          FROM (SELECT id, workspace, agent_id, action, effect, reason, paused_by, paused_at
                  FROM ${serviceTable(manager, 'pauses')}
                 WHERE resumed_at IS NULL AND workspace = ANY ($${param}::text[])) p) AS pauses,
       (SELECT coalesce(json_agg(q ORDER BY q.id), '[]')
          FROM (SELECT id, workspace, action, reason, decisions, approved_unchanged_rate, reviewed, approved_unchanged
                  FROM ${serviceTable(manager, 'probations')}
                 WHERE state = 'active' AND workspace = ANY ($${param}::text[])) q) AS probations) controls`;
}

/** A row of controlsSql. */
export interface ControlsRow {
  pauses: (Omit<PauseRow, 'paused_at'> & { paused_at: string })[];
  probations: ProbationRow[];
  fingerprint: string;
}

/** A row of controlsSql as the router uses it. */
export function controlsOf(row: ControlsRow): ControlsInForce {
  return {
    // JSON has no timestamps: paused_at comes as text, with its offset.
    pauses: row.pauses.map((p) => ({ ...p, paused_at: new Date(p.paused_at) })),
    probations: row.probations,
    fingerprint: row.fingerprint,
  };
}

/** The pauses and the probations in force in these workspaces, read in one statement. */
export async function controlsInForce(manager: EntityManager, workspaces: readonly string[]): Promise<ControlsInForce> {
  const [row] = await manager.query(controlsSql(manager, 1), [[...new Set(workspaces)]]);
  return controlsOf(row);
}
