import { manifestConfig, serviceConfig } from '@hitl/service-kit';
import { z } from 'zod';

/**
 * Variables holding reviewers' tokens in clear start with this. The reviewers file names
 * one per reviewer (`token_env: REVIEWER_TOKEN_ALICE`); the config hands them to the
 * loader as REVIEWER_TOKENS, so nothing but main.ts reads process.env, and the file
 * cannot turn another variable (DATABASE_URL, say) into a login token.
 */
export const REVIEWER_TOKEN_PREFIX = 'REVIEWER_TOKEN_';

/** The escalation's settings; add new ones here. */
const settings = serviceConfig({ clientId: 'hitl-escalation', port: 3002 }).extend({
  /** The reviewers file, loaded at start. Relative paths are from the working directory. */
  REVIEWERS_PATH: z.string().min(1).default('config/reviewers.yaml'),
  /** Every REVIEWER_TOKEN_* variable by name (filled in below, not a variable itself). */
  REVIEWER_TOKENS: z.record(z.string(), z.string()).default({}),
  ...manifestConfig.shape,
  /** How often the SLA scanner looks for due deadlines (they live in PostgreSQL; this is only the polling). */
  SLA_SCAN_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  /** Deadlines fired per transaction. */
  SLA_SCAN_BATCH: z.coerce.number().int().min(1).max(10_000).default(200),
  /** The notifications file (public URL, a webhook per role, link lifetime), loaded at start. */
  NOTIFICATIONS_PATH: z.string().min(1).default('config/notifications.yaml'),
  /**
   * Signs one-click approve/deny links (HMAC-SHA256). No default, not even for development:
   * unset, notifications carry no such links (a warning says so at start).
   */
  NOTIFY_LINK_SECRET: z.string().min(32, { error: 'must be at least 32 characters, e.g. openssl rand -hex 32' }).optional(),
  /**
   * Open live streams (GET /approvals/stream) one token may hold on one replica; more get 429.
   * A console needs one per tab; a leaked token cannot hold the service's connections.
   */
  LIVE_STREAMS_PER_TOKEN: z.coerce.number().int().min(1).max(1000).default(5),
  /**
   * The open approvals a reviewer with no capacity of their own takes at once. Blocking
   * work (what agents wait on) is assigned within it; post-reviews only within what it leaves.
   */
  REVIEWER_DEFAULT_CAPACITY: z.coerce.number().int().min(1).max(10_000).default(25),
  /** How often the notification dispatcher looks for messages to post. */
  NOTIFY_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
});

function collectReviewerTokens(env: unknown): unknown {
  if (typeof env !== 'object' || env === null) return env;
  const tokens = Object.entries(env).filter(([name, value]) => name.startsWith(REVIEWER_TOKEN_PREFIX) && typeof value === 'string');
  return { ...env, REVIEWER_TOKENS: Object.fromEntries(tokens) };
}

export const escalationConfig = z.preprocess(collectReviewerTokens, settings);

export type EscalationConfig = z.output<typeof escalationConfig>;
