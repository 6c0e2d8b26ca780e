// How each reviewer queue (workspace, role, and blocking work or post-reviews) stands, and
// which of its deadlines will probably be missed. Pure: the database's per-queue counts,
// the last day's pace and `now` in. `aggregateOpen` is the rule the repository's SQL
// computes at scale (the integration spec checks the two agree).
import { ApprovalStatus } from '@hitl/approvals';
import { ApprovalRoute } from '@hitl/contracts';
import { InboxQueue, QueueStats } from '@hitl/reviewer-api';

/** An open approval, as much as the queue view needs. */
export interface OpenApproval {
  workspace: string;
  role: string;
  route: ApprovalRoute;
  status: ApprovalStatus;
  assignee: string | null;
  created_at: Date;
  sla_deadline: Date | null;
}

/** How fast a queue decided lately: the median time from request to decision over the last 24 h. */
export interface QueuePace {
  workspace: string;
  role: string;
  median_seconds: number;
  decided: number;
}

/** One queue's open approvals, counted. */
export interface QueueAggregate {
  workspace: string;
  role: string;
  queue: InboxQueue;
  depth: number;
  unassigned: number;
  oldest_created_at: Date;
  sla_breaches: number;
  predicted_breaches: number;
  paused: number;
}

/** Post-reviews of a role that ended unreviewed in the last 24 h, by reason. */
export interface UnreviewedCounts {
  workspace: string;
  role: string;
  window_closed: number;
  not_queued: number;
}

export interface Horizon {
  seconds: number;
  basis: QueueStats['horizon_basis'];
}

/** The horizon of a queue with no decision in the last 24 h. */
export const DEFAULT_HORIZON_SECONDS = 5 * 60;

/**
 * How far ahead to look for breaches. An approval picked up now will, typically, be decided
 * one median decision time from now; if its SLA deadline comes sooner than that, it will
 * probably be missed unless someone jumps the queue for it. A queue with no decision in the
 * last day has no pace to go by: five minutes is about the least a person needs to notice,
 * open and decide one, so anything due sooner is at risk.
 */
export function predictionHorizon(pace: QueuePace | undefined): Horizon {
  if (!pace || pace.decided === 0 || !Number.isFinite(pace.median_seconds)) return { seconds: DEFAULT_HORIZON_SECONDS, basis: 'default' };
  return { seconds: Math.max(0, Math.round(pace.median_seconds)), basis: 'median_24h' };
}

const key = (workspace: string, role: string) => JSON.stringify([workspace, role]);

/** Each paced queue's horizon, by workspace and role (a role's pace is its people's, for both its queues). */
export function horizonsOf(paces: readonly QueuePace[]): Map<string, Horizon> {
  return new Map(paces.map((p) => [key(p.workspace, p.role), predictionHorizon(p)]));
}

export const horizonOf = (horizons: ReadonlyMap<string, Horizon>, workspace: string, role: string): Horizon =>
  horizons.get(key(workspace, role)) ?? predictionHorizon(undefined);

export const queueOfRoute = (route: ApprovalRoute): InboxQueue => (route === 'post_review' ? 'post_review' : 'blocking');

/**
 * The counts of each queue holding an open approval. A post-review's deadline is the end of
 * its review window, so its breaches are the ones about to end unreviewed.
 */
export function aggregateOpen(open: readonly OpenApproval[], horizons: ReadonlyMap<string, Horizon>, now: Date): QueueAggregate[] {
  const queues = new Map<string, QueueAggregate>();
  for (const a of open) {
    if (a.status !== 'pending' && a.status !== 'clarifying') continue;
    const queue = queueOfRoute(a.route);
    const k = JSON.stringify([a.workspace, a.role, queue]);
    let q = queues.get(k);
    if (!q) {
      q = {
        workspace: a.workspace,
        role: a.role,
        queue,
        depth: 0,
        unassigned: 0,
        oldest_created_at: a.created_at,
        sla_breaches: 0,
        predicted_breaches: 0,
        paused: 0,
      };
      queues.set(k, q);
    }
    q.depth += 1;
    if (a.assignee === null) q.unassigned += 1;
    if (a.created_at < q.oldest_created_at) q.oldest_created_at = a.created_at;
    if (a.status === 'clarifying') q.paused += 1;
    else if (a.sla_deadline !== null) {
      if (a.sla_deadline.getTime() < now.getTime()) q.sla_breaches += 1;
      if (a.sla_deadline.getTime() < now.getTime() + horizonOf(horizons, a.workspace, a.role).seconds * 1000) q.predicted_breaches += 1;
    }
  }
  return [...queues.values()];
}

const QUEUE_ORDER: Record<InboxQueue, number> = { blocking: 0, post_review: 1 };

/**
 * One line per queue holding an open approval, and per post-review queue whose reviews
 * ended unreviewed in the last 24 h; by workspace, role, then blocking before post-review.
 */
export function queueStats(
  aggregates: readonly QueueAggregate[],
  unreviewed: readonly UnreviewedCounts[],
  horizons: ReadonlyMap<string, Horizon>,
  now: Date,
): QueueStats[] {
  const lines = new Map<string, QueueStats>();
  const line = (workspace: string, role: string, queue: InboxQueue): QueueStats => {
    const k = JSON.stringify([workspace, role, queue]);
    let q = lines.get(k);
    if (!q) {
      const horizon = horizonOf(horizons, workspace, role);
      q = {
        workspace,
        role,
        queue,
        depth: 0,
        unassigned: 0,
        oldest_age_seconds: 0,
        sla_breaches: 0,
        predicted_breaches: 0,
        paused: 0,
        unreviewed_24h: 0,
        backed_off_24h: 0,
        prediction_horizon_seconds: horizon.seconds,
        horizon_basis: horizon.basis,
      };
      lines.set(k, q);
    }
    return q;
  };
  for (const a of aggregates) {
    Object.assign(line(a.workspace, a.role, a.queue), {
      depth: a.depth,
      unassigned: a.unassigned,
      oldest_age_seconds: Math.max(0, Math.floor((now.getTime() - a.oldest_created_at.getTime()) / 1000)),
      sla_breaches: a.sla_breaches,
      predicted_breaches: a.predicted_breaches,
      paused: a.paused,
    });
  }
  for (const u of unreviewed) {
    if (u.window_closed === 0 && u.not_queued === 0) continue;
    Object.assign(line(u.workspace, u.role, 'post_review'), { unreviewed_24h: u.window_closed, backed_off_24h: u.not_queued });
  }
  return [...lines.values()].sort(
    (a, b) => a.workspace.localeCompare(b.workspace) || a.role.localeCompare(b.role) || QUEUE_ORDER[a.queue] - QUEUE_ORDER[b.queue],
  );
}
