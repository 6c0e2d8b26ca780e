// Riding out a broker outage, with no Kafka in it: try an idempotent send until it is
// acknowledged or the outage has lasted longer than the agent is told to wait.

export interface RideOutOptions {
  /** How long to keep trying, from the first attempt. */
  outageMs: number;
  /** Pause between attempts: doubles from `firstPauseMs` up to `maxPauseMs`. */
  firstPauseMs?: number;
  maxPauseMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called after each failed attempt that will be retried. */
  onRetry?: (error: Error, attempt: number, elapsedMs: number) => void;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it resolves. An attempt still running when the outage budget is spent
 * is abandoned (it may yet land: `attempt` must be safe to repeat). Throws `giveUp(lastError)`
 * once the budget is spent; errors `isFatal` accepts are thrown at once.
 */
export async function rideOut<T>(
  attempt: () => Promise<T>,
  giveUp: (last: Error) => Error,
  options: RideOutOptions,
  isFatal: (error: Error) => boolean = () => false,
): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? pause;
  const started = now();
  const deadline = started + options.outageMs;
  let wait = options.firstPauseMs ?? 250;
  for (let n = 1; ; n++) {
    const left = deadline - now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      attempt().then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error: error instanceof Error ? error : new Error(String(error)) }),
      ),
      new Promise<{ ok: false; error: Error }>((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, error: new Error(`no acknowledgement within ${Math.round(options.outageMs / 1000)} s`) }),
          Math.max(0, left),
        );
      }),
    ]).finally(() => clearTimeout(timer));
    if (outcome.ok) return outcome.value;
    if (isFatal(outcome.error)) throw outcome.error;
    if (now() + wait >= deadline) throw giveUp(outcome.error);
    options.onRetry?.(outcome.error, n, now() - started);
    await sleep(wait);
    wait = Math.min(wait * 2, options.maxPauseMs ?? 5_000);
  }
}
