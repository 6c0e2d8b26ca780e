import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';
import { OpenApproval, QueuePace } from './queue-stats';

/** Which workspaces a caller sees: all of them, or these. */
export type WorkspaceScope = 'all' | readonly string[];

const scoped = (scope: WorkspaceScope) => (scope === 'all' ? null : [...scope]);

/**
 * Every open approval, in the scope. Open approvals wait for people, so there are only ever
 * as many as people can work through: reading them whole is cheaper than it sounds.
 */
export function openApprovals(manager: EntityManager, scope: WorkspaceScope): Promise<OpenApproval[]> {
  return manager.query(
    `SELECT workspace, reviewer_role AS role, status, assignee, created_at, sla_deadline
       FROM ${serviceTable(manager, 'approvals')}
      WHERE status IN ('pending', 'clarifying') AND ($1::text[] IS NULL OR workspace = ANY ($1))`,
    [scoped(scope)],
  );
}

/**
 * Each queue's median time from request to a person's decision, over approvals resolved in
 * the 24 hours before `now`. Timeouts are not decisions, so they are left out.
 */
export async function queuePaces(manager: EntityManager, scope: WorkspaceScope, now: Date): Promise<QueuePace[]> {
  const rows: { workspace: string; role: string; median_seconds: number; decided: number }[] = await manager.query(
    `SELECT workspace, reviewer_role AS role,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)) AS median_seconds,
            count(*)::int AS decided
       FROM ${serviceTable(manager, 'approvals')}
      WHERE resolved_at > $1::timestamptz - interval '24 hours' AND resolved_at <= $1
        AND status IN ('approved', 'denied')
        AND COALESCE(resolution -> 'resolvedBy' ->> 'kind', '') <> 'timeout'
        AND ($2::text[] IS NULL OR workspace = ANY ($2))
      GROUP BY workspace, reviewer_role`,
    [now, scoped(scope)],
  );
  return rows.map((r) => ({ ...r, median_seconds: Number(r.median_seconds) }));
}
