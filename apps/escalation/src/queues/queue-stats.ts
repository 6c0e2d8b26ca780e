// How each reviewer queue (workspace + role) stands, and which of its deadlines will
// probably be missed. Pure: open approvals, the last day's pace and `now` in.
import { ApprovalStatus } from '@hitl/approvals';
import { QueueStats } from '@hitl/reviewer-api';

/** An open approval, as much as the queue view needs. */
export interface OpenApproval {
  workspace: string;
  role: string;
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

/** The horizon of a queue with no decision in the last 24 h. */
export const DEFAULT_HORIZON_SECONDS = 5 * 60;

/**
 * How far ahead to look for breaches. An approval picked up now will, typically, be decided
 * one median decision time from now; if its SLA deadline comes sooner than that, it will
 * probably be missed unless someone jumps the queue for it. A queue with no decision in the
 * last day has no pace to go by: five minutes is about the least a person needs to notice,
 * open and decide one, so anything due sooner is at risk.
 */
export function predictionHorizon(pace: QueuePace | undefined): { seconds: number; basis: QueueStats['horizon_basis'] } {
  if (!pace || pace.decided === 0 || !Number.isFinite(pace.median_seconds)) return { seconds: DEFAULT_HORIZON_SECONDS, basis: 'default' };
  return { seconds: Math.max(0, Math.round(pace.median_seconds)), basis: 'median_24h' };
}

const key = (workspace: string, role: string) => JSON.stringify([workspace, role]);

/** One line per queue holding at least one open approval, by workspace then role. */
export function queueStats(open: readonly OpenApproval[], paces: readonly QueuePace[], now: Date): QueueStats[] {
  const paceOf = new Map(paces.map((p) => [key(p.workspace, p.role), p]));
  const queues = new Map<string, QueueStats>();
  for (const a of open) {
    if (a.status !== 'pending' && a.status !== 'clarifying') continue;
    const k = key(a.workspace, a.role);
    let q = queues.get(k);
    if (!q) {
      const horizon = predictionHorizon(paceOf.get(k));
      q = {
        workspace: a.workspace,
        role: a.role,
        depth: 0,
        unassigned: 0,
        oldest_age_seconds: 0,
        sla_breaches: 0,
        predicted_breaches: 0,
        paused: 0,
        prediction_horizon_seconds: horizon.seconds,
        horizon_basis: horizon.basis,
      };
      queues.set(k, q);
    }
    q.depth += 1;
    if (a.assignee === null) q.unassigned += 1;
    q.oldest_age_seconds = Math.max(q.oldest_age_seconds, Math.max(0, Math.floor((now.getTime() - a.created_at.getTime()) / 1000)));
    if (a.status === 'clarifying') q.paused += 1;
    else if (a.sla_deadline !== null) {
      if (a.sla_deadline.getTime() < now.getTime()) q.sla_breaches += 1;
      if (a.sla_deadline.getTime() < now.getTime() + q.prediction_horizon_seconds * 1000) q.predicted_breaches += 1;
    }
  }
  return [...queues.values()].sort((a, b) => a.workspace.localeCompare(b.workspace) || a.role.localeCompare(b.role));
}
