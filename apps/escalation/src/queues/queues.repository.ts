import { serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';
import { Horizon, QueueAggregate, QueuePace, UnreviewedCounts } from './queue-stats';

/** Which workspaces a caller sees: all of them, or these. */
export type WorkspaceScope = 'all' | readonly string[];

const scoped = (scope: WorkspaceScope) => (scope === 'all' ? null : [...scope]);

/**
 * Each queue's open approvals counted by PostgreSQL (queue-stats' aggregateOpen, at scale:
 * a role's queue can hold six figures, and reading them row by row costs seconds and memory).
 * `horizons` are the paced queues' horizons; the others use `defaultHorizonSeconds`.
 */
export async function queueAggregates(
  manager: EntityManager,
  scope: WorkspaceScope,
  now: Date,
  horizons: ReadonlyMap<string, Horizon>,
  defaultHorizonSeconds: number,
): Promise<QueueAggregate[]> {
  const paced = [...horizons.entries()].map(([k, h]) => [...(JSON.parse(k) as [string, string]), h.seconds] as const);
  return manager.query(
    `SELECT a.workspace, a.reviewer_role AS role, CASE WHEN a.route = 'post_review' THEN 'post_review' ELSE 'blocking' END AS queue,
            count(*)::int AS depth,
            count(*) FILTER (WHERE a.assignee IS NULL)::int AS unassigned,
            min(a.created_at) AS oldest_created_at,
            count(*) FILTER (WHERE a.status = 'pending' AND a.sla_deadline < $2)::int AS sla_breaches,
            count(*) FILTER (WHERE a.status = 'pending'
                               AND a.sla_deadline < $2 + make_interval(secs => COALESCE(h.seconds, $6)))::int AS predicted_breaches,
            count(*) FILTER (WHERE a.status = 'clarifying')::int AS paused
       FROM ${serviceTable(manager, 'approvals')} a
       LEFT JOIN unnest($3::text[], $4::text[], $5::int[]) AS h(workspace, role, seconds) ON h.workspace = a.workspace AND h.role = a.reviewer_role
      WHERE a.status IN ('pending', 'clarifying') AND ($1::text[] IS NULL OR a.workspace = ANY ($1))
      GROUP BY 1, 2, 3`,
    [scoped(scope), now, paced.map((p) => p[0]), paced.map((p) => p[1]), paced.map((p) => p[2]), defaultHorizonSeconds],
  );
}

/** Post-reviews that ended unreviewed in the 24 hours before `now`, by workspace, role and reason. */
export async function unreviewedCounts(manager: EntityManager, scope: WorkspaceScope, now: Date): Promise<UnreviewedCounts[]> {
  return manager.query(
    `SELECT workspace, reviewer_role AS role,
            count(*) FILTER (WHERE resolution ->> 'reason' = 'review_window_closed')::int AS window_closed,
            count(*) FILTER (WHERE resolution ->> 'reason' = 'no_review_capacity')::int AS not_queued
       FROM ${serviceTable(manager, 'approvals')}
      WHERE resolved_at > $1::timestamptz - interval '24 hours' AND resolved_at <= $1 AND status = 'unreviewed'
        AND ($2::text[] IS NULL OR workspace = ANY ($2))
      GROUP BY workspace, reviewer_role`,
    [now, scoped(scope)],
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
