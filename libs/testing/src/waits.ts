// One way to wait for something that happens elsewhere (a service, the broker, the
// database): poll, and fail naming what was awaited. Every spec, benchmark and fault run
// waits with this.

export interface WaitOptions {
  /** How long before giving up (default 30 s). */
  timeoutMs?: number;
  /** How often to look (default 100 ms). */
  everyMs?: number;
  /** Said when the wait fails (timed out, or given up): logs of the processes involved, a count seen so far. */
  detail?: () => string;
  /** Checked on every poll: a reason to give up at once (a service that exited), or undefined. */
  abortIf?: () => string | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns something truthy and returns that, or fails with
 * "timed out after N ms waiting for <what>".
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 30_000, everyMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  const failure = (why: string) => {
    const detail = options.detail?.();
    return new Error(`${why}${detail ? `\n${detail}` : ''}`);
  };
  for (;;) {
    const value = await probe();
    if (value) return value;
    const abort = options.abortIf?.();
    if (abort) throw failure(`${abort} while waiting for ${what}`);
    if (Date.now() > deadline) throw failure(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
