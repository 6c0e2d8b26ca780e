import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

/** The slice of a logger a DrainLoop writes its failures to. */
interface FailureLogger {
  error(fields: object, message?: string): void;
}

/**
 * Polls for work whose due time lives in PostgreSQL: runs `round(now)` right away, again at
 * once while a round comes back full (more may be due), else after `intervalMs`. A failed
 * round is logged and retried at the next tick; `stop()` waits for the round under way.
 */
export class DrainLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly what: string,
    private readonly round: (now: Date) => Promise<number>,
    private readonly options: { batch: number; intervalMs: number; logger: FailureLogger },
  ) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.untilIdle()
        .catch((error) => this.options.logger.error({ err: error }, `${this.what} failed; retrying at the next tick`))
        .finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
  }

  private async untilIdle(): Promise<void> {
    while (!this.stopped && (await this.round(new Date())) === this.options.batch) {
      // a full batch: more may be due
    }
  }
}

/** What a polling service runs: one round (returns how many rows it took), named for its logs. */
export interface Polling {
  what: string;
  round: (now: Date) => Promise<number>;
  batch: number;
  intervalMs: number;
  logger: FailureLogger;
}

/**
 * A provider that runs a DrainLoop for as long as the app runs (timers, dispatchers):
 * started when the app is up, stopped (waiting for the round under way) when it shuts down.
 */
export abstract class PollingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private loop?: DrainLoop;

  /** Read once, at start: the subclass's round and its pace. */
  protected abstract polling(): Polling;

  onApplicationBootstrap(): void {
    const { what, round, ...options } = this.polling();
    this.loop = new DrainLoop(what, round, options);
    this.loop.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop?.stop() ?? Promise.resolve();
  }
}
