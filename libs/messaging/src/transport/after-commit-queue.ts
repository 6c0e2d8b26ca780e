/** A chunk whose transaction committed: its events still to publish, then its offset to commit. */
export interface CommittedWork {
  /** The consumed partition (its topic as the broker names it) and the chunk's first offset there. */
  topic: string;
  partition: number;
  firstOffset: string;
  /** Publishes what the chunk's handlers emitted after commit (nothing, for most); throws when the broker did not take it. */
  publish(): Promise<void>;
  /** Once published: the chunk's offset may be committed. */
  published(): void;
}

/** Where a partition must be read again from: its first chunk whose events were not published. */
export interface Rewind {
  topic: string;
  partition: number;
  offset: string;
}

export interface AfterCommitQueueOptions {
  /** Chunks committed and waiting for their publish, beyond which the consumer waits (`hasRoom`). */
  capacity: number;
  /** A publish failed: nothing after it was published; each partition named is read again from its offset. */
  onFailure(error: unknown, rewinds: Rewind[]): void;
  /** How long to hold new chunks after the n-th failure in a row (from 0). */
  backoffMs(failures: number): number;
  now?: () => number;
}

/**
 * Publishes, one chunk after another in the order their transactions committed, what handlers
 * emitted after commit, and only then lets each chunk's offset be committed: the consumer goes
 * on with its next chunks meanwhile instead of waiting for the broker's acknowledgement (a
 * round trip on the path of every message behind it). Published in commit order, by one
 * producer, a partition's events keep their order, and no offset is committed ahead of an
 * event not yet published. When a publish fails, it and every chunk queued behind it are
 * dropped unpublished, their offsets never committed, and each partition concerned is read
 * again from its first such chunk: handlers that publish after commit re-derive their events
 * for messages they already recorded (the same events, the same ids), as after a crash.
 */
export class AfterCommitQueue {
  private readonly queue: CommittedWork[] = [];
  private running?: Promise<void>;
  private failures = 0;
  private holdUntil = 0;
  private waiters: (() => void)[] = [];
  private readonly now: () => number;

  constructor(private readonly options: AfterCommitQueueOptions) {
    this.now = options.now ?? Date.now;
  }

  add(work: CommittedWork): void {
    this.queue.push(work);
    this.running ??= this.run();
  }

  /** Chunks committed whose publish has not finished. */
  get pending(): number {
    return this.queue.length;
  }

  /** Whether the consumer may commit another chunk now: room in the queue, and no hold after a failure. */
  hasRoom(): boolean {
    return this.queue.length < this.options.capacity && this.now() >= this.holdUntil;
  }

  /** How long a failure still holds new chunks (0: none). */
  holdMs(): number {
    return Math.max(0, this.holdUntil - this.now());
  }

  /** Resolves when the queue changes next (a publish finished or failed), or at once when it is idle. */
  changed(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves once everything queued so far was published (or dropped by a failure). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const next = this.queue[0];
        try {
          await next.publish();
        } catch (error) {
          this.fail(error);
          continue;
        }
        this.queue.shift();
        this.failures = 0;
        next.published();
        this.wake();
      }
    } finally {
      this.running = undefined;
      this.wake();
    }
  }

  private fail(error: unknown): void {
    const dropped = this.queue.splice(0);
    const earliest = new Map<string, Rewind>();
    for (const work of dropped) {
      const key = `${work.topic}\u0000${work.partition}`;
      const seen = earliest.get(key);
      if (!seen || BigInt(work.firstOffset) < BigInt(seen.offset))
        earliest.set(key, { topic: work.topic, partition: work.partition, offset: work.firstOffset });
    }
    this.holdUntil = this.now() + this.options.backoffMs(this.failures++);
    this.options.onFailure(error, [...earliest.values()]);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
