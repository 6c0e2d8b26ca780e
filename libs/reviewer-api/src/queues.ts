// GET /queues: how each reviewer queue (workspace + role) stands.
import { z } from 'zod';
import { InboxQueue } from './inbox';
import { Timestamp } from './values';

export const HorizonBasis = z.enum(['median_24h', 'default']);
export type HorizonBasis = z.infer<typeof HorizonBasis>;

export const QueueStats = z.object({
  workspace: z.string(),
  role: z.string(),
  /** `blocking`: what agents wait on; `post_review`: actions that already ran, reviewed after the fact (their deadline is the end of the review window). */
  queue: InboxQueue,
  /** Open approvals: pending or paused for a clarification. */
  depth: z.number().int(),
  unassigned: z.number().int(),
  oldest_age_seconds: z.number().int(),
  /** Pending and past their SLA deadline. */
  sla_breaches: z.number().int(),
  /** Pending with an SLA deadline before now + the horizon: breached already, or probably soon (so never fewer than sla_breaches). */
  predicted_breaches: z.number().int(),
  /** Clarifying: the clock stands still while the agent answers. */
  paused: z.number().int(),
  /** Post-reviews whose review window closed with nobody looking, in the last 24 h (0 for blocking queues). */
  unreviewed_24h: z.number().int(),
  /** Post-reviews not queued at all in the last 24 h: every reviewer of the role was at capacity (sampling backed off). */
  backed_off_24h: z.number().int(),
  prediction_horizon_seconds: z.number().int(),
  /** Where the horizon comes from. */
  horizon_basis: HorizonBasis,
});
export type QueueStats = z.infer<typeof QueueStats>;

/** One line per queue holding at least one open approval (or, for post-reviews, one that ended unreviewed in the last 24 h), by workspace, role, then queue. */
export const QueueSnapshot = z.object({ as_of: Timestamp, queues: z.array(QueueStats) });
export type QueueSnapshot = z.infer<typeof QueueSnapshot>;
