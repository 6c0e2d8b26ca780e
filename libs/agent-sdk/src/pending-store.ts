// Where an agent keeps the decisions it proposed and is still waiting on, so a restarted
// process can list them and await them again.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface PendingDecision {
  decision_id: string;
  action: string;
  parameters: Record<string, unknown>;
  payload_hash: string;
  /** RFC 3339; when it was proposed. */
  proposed_at: string;
}

export interface PendingStore {
  list(): Promise<PendingDecision[]>;
  add(decision: PendingDecision): Promise<void>;
  remove(decisionId: string): Promise<void>;
}

/** Forgets everything when the process ends; the default when no file is given. */
export class MemoryPendingStore implements PendingStore {
  private readonly entries = new Map<string, PendingDecision>();

  async list(): Promise<PendingDecision[]> {
    return [...this.entries.values()];
  }

  async add(decision: PendingDecision): Promise<void> {
    this.entries.set(decision.decision_id, decision);
  }

  async remove(decisionId: string): Promise<void> {
    this.entries.delete(decisionId);
  }
}

/** One JSON file, rewritten atomically (write then rename) on every change; writes are serialized. */
export class FilePendingStore implements PendingStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  list(): Promise<PendingDecision[]> {
    return this.serialized(() => this.read());
  }

  add(decision: PendingDecision): Promise<void> {
    return this.serialized(async () => {
      const entries = (await this.read()).filter((d) => d.decision_id !== decision.decision_id);
      await this.write([...entries, decision]);
    });
  }

  remove(decisionId: string): Promise<void> {
    return this.serialized(async () => {
      const entries = await this.read();
      const kept = entries.filter((d) => d.decision_id !== decisionId);
      if (kept.length !== entries.length) await this.write(kept);
    });
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<PendingDecision[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error(`${this.path} is not a pending-decisions file (expected a JSON array); move it away and restart`);
    return parsed as PendingDecision[];
  }

  private async write(entries: PendingDecision[]): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(entries, null, 2)}\n`, 'utf8');
    await rename(temporary, this.path);
  }
}
