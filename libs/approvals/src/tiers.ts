import { OnTimeout } from '@hitl/contracts';
import { ApprovalState, addMinutes } from './approval';

/** What a tier's deadline depends on. */
export interface TierClock {
  /** The tier's SLA for the approval's urgency. */
  slaMinutes: number;
  /** When `on_timeout` applies; null when nothing expires (an after-the-fact review). */
  expiresAt: Date | null;
  onTimeout: OnTimeout;
  /** Index of the tier now offered in `pathLength` tiers. */
  tier: number;
  pathLength: number;
}

/**
 * When the tier now offered the decision must have answered: the sooner of its SLA and
 * an even share of the time left before `expires_at` among the tiers not yet done (this
 * one included), so every tier of the path is offered the decision before `on_timeout`
 * applies (manifest v1.1, "Tier deadlines"). Under `on_timeout: escalate` the expiry is
 * the tier's own (it moves the approval up), so the tier's share is all of it.
 */
export function tierDeadline(clock: TierClock, now: Date): Date {
  const sla = addMinutes(now, clock.slaMinutes);
  if (clock.expiresAt === null) return sla;
  const tiersLeft = clock.onTimeout === 'escalate' ? 1 : Math.max(1, clock.pathLength - clock.tier);
  const share = Math.max(0, clock.expiresAt.getTime() - now.getTime()) / tiersLeft;
  return new Date(Math.min(sla.getTime(), now.getTime() + Math.floor(share)));
}

/** Each tier's share of the approval timeout when it is requested, in seconds: what validation and `explain` show. */
export function tierShareSeconds(approvalTimeoutSeconds: number, onTimeout: OnTimeout, pathLength: number): number {
  return onTimeout === 'escalate' ? approvalTimeoutSeconds : approvalTimeoutSeconds / Math.max(1, pathLength);
}

/** `tierDeadline` of an approval's `tier` offered at `now`: its urgency's SLA, its path, its expiry. */
export function approvalTierDeadline(state: ApprovalState, tier: number, now: Date): Date {
  const clock = {
    slaMinutes: state.slaMinutes[state.urgency],
    expiresAt: state.expiresAt ?? null,
    onTimeout: state.onTimeout,
    tier,
    pathLength: state.escalationPath.length,
  };
  return tierDeadline(clock, now);
}
