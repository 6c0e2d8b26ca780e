/** The broker call that records a group's offsets (kafkajs's `consumer.commitOffsets`). */
export type CommitOffsets = (offsets: { topic: string; partition: number; offset: string }[]) => Promise<void>;

/**
 * Commits a consumer's offsets in the background, after their chunks committed: one commit
 * at a time, carrying the latest offset of every partition handed since the last one. The
 * next fetch does not wait for it (kafkajs's auto-commit awaits a commit after every batch,
 * a broker round trip on the path of every message behind it). An offset committed late only
 * means messages delivered again after a crash, which every consumer de-duplicates.
 */
export class OffsetCommitter {
  private pending = new Map<string, { topic: string; partition: number; offset: string }>();
  private running?: Promise<void>;

  constructor(
    private readonly commitOffsets: CommitOffsets,
    private readonly onError: (error: unknown, offsets: { topic: string; partition: number; offset: string }[]) => void,
  ) {}

  /** `offset`: the next one to read, i.e. the last one handled plus one. */
  commit(topic: string, partition: number, offset: string): void {
    this.pending.set(`${topic}\u0000${partition}`, { topic, partition, offset });
    this.running ??= this.drain();
  }

  /** Forgets what was not committed yet of partitions this consumer no longer reads (another member commits them now). */
  keepOnly(assigned: (topic: string, partition: number) => boolean): void {
    for (const [key, { topic, partition }] of this.pending) if (!assigned(topic, partition)) this.pending.delete(key);
  }

  /** Resolves once every offset handed so far was committed (or its commit failed). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const offsets = [...this.pending.values()];
        this.pending.clear();
        try {
          await this.commitOffsets(offsets);
        } catch (error) {
          // Not tried again: a later offset of the partition supersedes it, and a partition
          // that moved to another member is that member's to commit.
          this.onError(error, offsets);
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}
