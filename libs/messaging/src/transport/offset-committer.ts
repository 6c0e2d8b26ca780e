/** The broker call that records a group's offsets (kafkajs's `consumer.commitOffsets`). */
export type CommitOffsets = (offsets: { topic: string; partition: number; offset: string }[]) => Promise<void>;

type Offset = { topic: string; partition: number; offset: string };

/** The broker's answers that mean this consumer is not (or no longer) a member of its group's current generation. */
const MEMBERSHIP_ERRORS = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'FENCED_INSTANCE_ID']);

/** Refusals as an unknown member in a row, a retry apart, after which the consumer is restarted. */
const UNKNOWN_REFUSALS_TO_REJOIN = 3;

/** The broker's error type of a failed commit (kafkajs wraps it as the cause). */
function brokerErrorType(error: unknown): string | undefined {
  const type = (e: unknown) => (typeof e === 'object' && e !== null ? (e as { type?: unknown }).type : undefined);
  const cause = typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  return [type(error), type(cause)].find((t): t is string => typeof t === 'string');
}

/** Whether a failed commit says the consumer lost its place in the group, for now (a rebalance) or for good (an unknown member). */
export function membershipLost(error: unknown): boolean {
  const type = brokerErrorType(error);
  return type !== undefined && MEMBERSHIP_ERRORS.has(type);
}

export interface OffsetCommitterOptions {
  /** How long after a commit refused for membership it is tried again. */
  retryMs?: number;
  /**
   * The least time from one commit to the next (0: none). Each commit is a request the broker
   * appends to its offsets log; one per chunk was most of a consumer's requests at low rates
   * (a chunk of one or two messages each, figure 2). What arrives meanwhile goes in the next.
   */
  spacingMs?: number;
  /**
   * Commits were refused as from a member the coordinator does not know, three times in a row,
   * a retry apart: the client did not get back into its group on its own (kafkajs gives up
   * rejoining when the coordinator is away at that moment, and goes on fetching without
   * heartbeats), so the consumer must be restarted. A rebalance in progress or an old
   * generation is only retried: the client rejoins on its next heartbeat.
   */
  onMembershipLost?: () => void;
}

/**
 * Commits a consumer's offsets in the background, after their chunks committed: one commit
 * at a time, at most one a `spacingMs`, carrying the latest offset of every partition handed
 * since the last one. The next fetch does not wait for it (kafkajs's auto-commit awaits a
 * commit after every batch, a broker round trip on the path of every message behind it). An
 * offset committed late only means messages delivered again after a crash, which every
 * consumer de-duplicates.
 * A commit the broker refuses because the consumer is no longer a member of the group is
 * tried again once it has rejoined (see onMembershipLost): otherwise the group would never
 * record what was handled, and a consumer that got no more messages would look behind forever.
 */
export class OffsetCommitter {
  private pending = new Map<string, Offset>();
  private running?: Promise<void>;
  private retry?: NodeJS.Timeout;
  private refusedAsUnknown = 0;
  private flushing = false;
  private readonly retryMs: number;
  private readonly spacingMs: number;
  private lastCommitAt = -Infinity;
  /** Ends the wait between two commits early (flush). */
  private endSpacing?: () => void;

  constructor(
    private readonly commitOffsets: CommitOffsets,
    private readonly onError: (error: unknown, offsets: Offset[]) => void,
    private readonly options: OffsetCommitterOptions = {},
  ) {
    this.retryMs = options.retryMs ?? 5_000;
    this.spacingMs = options.spacingMs ?? 0;
  }

  /** `offset`: the next one to read, i.e. the last one handled plus one. */
  commit(topic: string, partition: number, offset: string): void {
    this.pending.set(key(topic, partition), { topic, partition, offset });
    // After a refusal for membership, with the retry: not before the client had time to rejoin.
    if (!this.retry) this.running ??= this.drain();
  }

  /** Forgets what was not committed yet of partitions this consumer no longer reads (another member commits them now). */
  keepOnly(assigned: (topic: string, partition: number) => boolean): void {
    for (const [k, { topic, partition }] of this.pending) if (!assigned(topic, partition)) this.pending.delete(k);
  }

  /** Resolves once every offset handed so far was committed, or its commit failed (then without retrying it). */
  async flush(): Promise<void> {
    this.flushing = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.endSpacing?.();
    try {
      if (this.pending.size > 0) this.running ??= this.drain();
      while (this.running) await this.running;
    } finally {
      this.flushing = false;
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        // Only when there is a wait: the first commit goes in the same turn as its offset.
        const wait = this.flushing ? 0 : this.lastCommitAt + this.spacingMs - Date.now();
        if (wait > 0) await this.spaced(wait);
        const offsets = [...this.pending.values()];
        this.pending.clear();
        // keepOnly may have left nothing during the wait.
        if (offsets.length === 0) break;
        this.lastCommitAt = Date.now();
        try {
          await this.commitOffsets(offsets);
          this.refusedAsUnknown = 0;
        } catch (error) {
          this.onError(error, offsets);
          if (!membershipLost(error) || this.flushing) continue;
          // Kept (unless a later offset of the partition came meanwhile) and tried again later.
          for (const o of offsets) if (!this.pending.has(key(o.topic, o.partition))) this.pending.set(key(o.topic, o.partition), o);
          if (brokerErrorType(error) !== 'UNKNOWN_MEMBER_ID') this.refusedAsUnknown = 0;
          else if (++this.refusedAsUnknown >= UNKNOWN_REFUSALS_TO_REJOIN) {
            this.refusedAsUnknown = 0;
            this.options.onMembershipLost?.();
          }
          this.retry = setTimeout(() => {
            this.retry = undefined;
            if (this.pending.size > 0) this.running ??= this.drain();
          }, this.retryMs);
          this.retry.unref?.();
          return;
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Waits out the rest of the spacing since the last commit, or until a flush. */
  private async spaced(wait: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      timer.unref?.();
      this.endSpacing = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.endSpacing = undefined;
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
