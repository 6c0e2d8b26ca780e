// AUDIT_RETENTION as data: how long each workspace's rows are kept. Pure.
//   acme-support=365d,globex=forever,*=730d
// A workspace's own entry wins over "*"; without either, its rows are kept forever.
// Periods are whole numbers of s, m, h or d.
import { z } from 'zod';

export interface RetentionPeriod {
  /** As written, e.g. `365d`. */
  text: string;
  ms: number;
}

export interface RetentionPolicy {
  /** Each workspace's own period; null: kept forever, whatever "*" says. */
  workspaces: ReadonlyMap<string, RetentionPeriod | null>;
  /** "*": every other workspace (null: kept forever). */
  fallback: RetentionPeriod | null;
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_MS = 100 * 365 * UNIT_MS.d;
const WORKSPACE = /^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/;
const PERIOD = /^(\d{1,9})([smhd])$/;

export function parsePeriod(text: string): RetentionPeriod | null {
  const m = PERIOD.exec(text);
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 && ms <= MAX_MS ? { text, ms } : null;
}

export function parseRetention(text: string): { policy: RetentionPolicy } | { problems: string[] } {
  const problems: string[] = [];
  const workspaces = new Map<string, RetentionPeriod | null>();
  let fallback: RetentionPeriod | null | undefined;
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    const eq = entry.indexOf('=');
    if (eq < 0) {
      problems.push(`"${entry}" is not workspace=period (e.g. acme-support=365d or *=730d)`);
      continue;
    }
    const workspace = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    if (workspace !== '*' && !WORKSPACE.test(workspace)) {
      problems.push(`"${workspace}" is not a workspace id or "*"`);
      continue;
    }
    const period = value === 'forever' ? null : parsePeriod(value);
    if (period === null && value !== 'forever') {
      problems.push(`${workspace}: "${value}" is not a period: a whole number of s, m, h or d (at most 100 years), or forever`);
      continue;
    }
    if (workspace === '*' ? fallback !== undefined : workspaces.has(workspace)) {
      problems.push(`${workspace} is given twice`);
      continue;
    }
    if (workspace === '*') fallback = period;
    else workspaces.set(workspace, period);
  }
  return problems.length > 0 ? { problems } : { policy: { workspaces, fallback: fallback ?? null } };
}

/** How long a workspace's rows are kept; null: forever. */
export function periodFor(policy: RetentionPolicy, workspace: string): RetentionPeriod | null {
  return policy.workspaces.has(workspace) ? (policy.workspaces.get(workspace) ?? null) : policy.fallback;
}

/** Rows recorded before this are due for removal; null: none ever are. */
export function retentionCutoff(policy: RetentionPolicy, workspace: string, now: Date): Date | null {
  const period = periodFor(policy, workspace);
  return period ? new Date(now.getTime() - period.ms) : null;
}

/** When a job running every `intervalMs` runs next: on fixed ticks since the epoch (daily: at 00:00 UTC), so restarts do not postpone it. */
export function nextRun(now: Date, intervalMs: number): Date {
  return new Date((Math.floor(now.getTime() / intervalMs) + 1) * intervalMs);
}

const DAY = UNIT_MS.d;

export const retentionConfig = z.object({
  /** e.g. `acme-support=365d,*=730d`; unset: every row is kept forever. */
  AUDIT_RETENTION: z
    .string()
    .transform((text, ctx) => {
      const parsed = parseRetention(text);
      if ('problems' in parsed) for (const message of parsed.problems) ctx.addIssue({ code: 'custom', message });
      return 'policy' in parsed ? parsed.policy : z.NEVER;
    })
    .optional(),
  /** How often the retention job runs, on fixed ticks (default daily, at 00:00 UTC); 0: never on its own (POST /audit/retention/run only). */
  AUDIT_RETENTION_INTERVAL_MS: z.coerce
    .number({ error: `must be 0 or a whole number of milliseconds from 60000 to ${7 * DAY}` })
    .int({ error: `must be 0 or a whole number of milliseconds from 60000 to ${7 * DAY}` })
    .refine((ms) => ms === 0 || (ms >= 60_000 && ms <= 7 * DAY), { error: `must be 0 or a whole number of milliseconds from 60000 to ${7 * DAY}` })
    .default(DAY),
});
export type RetentionConfig = z.output<typeof retentionConfig>;
