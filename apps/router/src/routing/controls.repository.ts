import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';
import { PauseRow } from '../pauses/pauses.repository';
import { ProbationRow } from '../probation/probation.repository';

/** What holds back a chunk's routing: the pauses and the probations in force in its workspaces. */
export interface ControlsInForce {
  /** Oldest first. */
  pauses: PauseRow[];
  probations: ProbationRow[];
}

/**
 * The pauses and the probations in force in these workspaces, read in one statement: every
 * routing transaction reads both, and each round trip is one more wait on every answer.
 */
export async function controlsInForce(manager: EntityManager, workspaces: readonly string[]): Promise<ControlsInForce> {
  const [row]: { pauses: (Omit<PauseRow, 'paused_at'> & { paused_at: string })[]; probations: ProbationRow[] }[] = await manager.query(
    `SELECT
       (SELECT coalesce(json_agg(p ORDER BY p.paused_at, p.id), '[]')
          FROM (SELECT id, workspace, agent_id, action, effect, reason, paused_by, paused_at
                  FROM ${serviceTable(manager, 'pauses')}
                 WHERE resumed_at IS NULL AND workspace = ANY ($1)) p) AS pauses,
       (SELECT coalesce(json_agg(q), '[]')
          FROM (SELECT id, workspace, action, reason, decisions, approved_unchanged_rate, reviewed, approved_unchanged
                  FROM ${serviceTable(manager, 'probations')}
                 WHERE state = 'active' AND workspace = ANY ($1)) q) AS probations`,
    [[...new Set(workspaces)]],
  );
  return {
    // JSON has no timestamps: paused_at comes as text, with its offset.
    pauses: row.pauses.map((p) => ({ ...p, paused_at: new Date(p.paused_at) })),
    probations: row.probations,
  };
}
