// When a failed webhook post is tried again, and when it is given up. Pure.

/** Posts of one notification before it is marked failed (about half an hour of retries, see below). */
export const MAX_ATTEMPTS = 14;
const FIRST_RETRY_MS = 1_000;
const LONGEST_WAIT_MS = 5 * 60_000;

export type Delivery = { kind: 'sent' } | { kind: 'retry'; delayMs: number; error: string } | { kind: 'failed'; error: string };

/**
 * 1 s, 2 s, 4 s … doubling up to 5 min, each with up to 20% jitter so replicas and
 * notifications that failed together do not retry in step. `random` is in [0, 1).
 */
export function retryDelayMs(attempts: number, random: number): number {
  const base = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_WAIT_MS);
  return Math.round(base * (1 + 0.2 * random));
}

/**
 * What one post's outcome means, after `attempts` posts in all. A 2xx is delivered. A 4xx
 * other than 408 and 429 will not get better by waiting (a revoked webhook answers 404 or
 * 410, a bad payload 400): it fails at once. Anything else, and no answer at all, is retried.
 */
export function afterAttempt(outcome: { status: number } | { error: string }, attempts: number, random: number): Delivery {
  if ('status' in outcome && outcome.status >= 200 && outcome.status < 300) return { kind: 'sent' };
  const error = 'status' in outcome ? `HTTP ${outcome.status}` : outcome.error;
  const permanent = 'status' in outcome && outcome.status >= 400 && outcome.status < 500 && outcome.status !== 408 && outcome.status !== 429;
  if (permanent) return { kind: 'failed', error: `${error} (not retried)` };
  if (attempts >= MAX_ATTEMPTS) return { kind: 'failed', error: `${error} (gave up after ${attempts} attempts)` };
  return { kind: 'retry', delayMs: retryDelayMs(attempts, random), error };
}
