import { z } from 'zod';

const whole = (what: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: `must be ${what}` })
    .transform(Number)
    .refine((n) => n === 0 || (n >= min && n <= max), { error: `must be ${what}` });

/** How drift is watched, and where owners are alerted. */
export const driftConfig = z.object({
  /** How often each action's latest outcomes are checked against its bounds, in seconds; 0: never (and no action counts as monitored). */
  DRIFT_CHECK_SECONDS: whole('0 (off) or a whole number of seconds from 1 to 3600', 1, 3600).default(60),
  /** The sliding window: how many of an action's latest labeled outcomes (and reviews) a check judges. */
  DRIFT_WINDOW: whole('a whole number from 20 to 10000', 20, 10_000)
    .refine((n) => n >= 20, { error: 'must be a whole number from 20 to 10000' })
    .default(100),
  /** How far below its baseline an action's approved-unchanged rate may fall before it is drift. */
  DRIFT_APPROVAL_DROP: z
    .string()
    .trim()
    .regex(/^0(\.\d+)?$/, { error: 'must be a number from 0 to below 1, e.g. 0.1' })
    .transform(Number)
    .default(0.1),
  /**
   * The owners' alert routes: YAML `webhooks: { <owner>: <https URL> }` (Slack-compatible), one
   * per manifest `owner`. Unset: drift is still watched and shown (GET /drift/alerts), but no
   * owner is alerted, and no action counts as monitored for promotion.
   */
  OWNER_ALERTS_PATH: z.string().min(1).optional(),
  /** How often alerts waiting to be posted are looked for, in milliseconds. */
  OWNER_ALERTS_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
});

export type DriftConfig = z.output<typeof driftConfig>;
