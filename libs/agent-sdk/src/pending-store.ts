// Where an agent keeps the decisions it proposed until their outcome has been acted on, so
// a restarted process (or, with a shared store, another replica) resumes them.
import { FileHandle, mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Resolution } from './guard';

export interface PendingDecision {
  decision_id: string;
  action: string;
  parameters: Record<string, unknown>;
  payload_hash: string;
  /** RFC 3339; when it was proposed. */
  proposed_at: string;
  /**
   * The signed decision.proposed event exactly as first sent (JSON). A retry, a restart or
   * another replica sends these same bytes, so the router and the audit see one event.
   */
  event?: string;
  /** Whether the broker acknowledged `event`; an unsent decision is sent again at start. */
  sent?: boolean;
  /** What the caller needs to resume after the outcome (the seed's workflow checkpoint). */
  checkpoint?: Record<string, unknown> | null;
  /** The verified outcome once it arrived; the decision stays until it was acted on. */
  resolution?: Resolution | null;
}

export interface PendingStore {
  /** Decisions this process holds that were not yet acted on: still pending, or resolved. */
  list(): Promise<PendingDecision[]>;
  /** Records a proposal (replacing one under the same id). */
  add(decision: PendingDecision): Promise<void>;
  get(decisionId: string): Promise<PendingDecision | undefined>;
  /** The broker acknowledged the proposal. */
  markSent(decisionId: string): Promise<void>;
  /** Keeps the outcome of a pending decision; false when it is unknown or already had one. */
  resolve(decisionId: string, resolution: Resolution): Promise<boolean>;
  /** The outcome was acted on (or the proposal abandoned): the decision leaves the store. */
  remove(decisionId: string): Promise<void>;
}

/**
 * A store several replicas of one agent share. Each decision is held by one replica (its
 * proposer to begin with) for a lease the holder renews; a decision whose holder stopped
 * renewing is taken over by another replica, so exactly one replica acts on each outcome.
 */
export interface SharedPendingStore extends PendingStore {
  readonly shared: true;
  /** Renews this replica's hold on its decisions; answers those it newly took over from lapsed holders. */
  heartbeat(takeOver: boolean): Promise<PendingDecision[]>;
  /** Confirms (and renews) this replica's hold on one decision just before acting on it. */
  hold(decisionId: string): Promise<boolean>;
  close(): Promise<void>;
}

export function isShared(store: PendingStore): store is SharedPendingStore {
  return (store as Partial<SharedPendingStore>).shared === true;
}

/** Forgets everything when the process ends: tests, and agents that may lose what they wait for. */
export class MemoryPendingStore implements PendingStore {
  protected readonly entries = new Map<string, PendingDecision>();

  async list(): Promise<PendingDecision[]> {
    return [...this.entries.values()];
  }

  async add(decision: PendingDecision): Promise<void> {
    this.entries.set(decision.decision_id, decision);
  }

  async get(decisionId: string): Promise<PendingDecision | undefined> {
    return this.entries.get(decisionId);
  }

  async markSent(decisionId: string): Promise<void> {
    const entry = this.entries.get(decisionId);
    if (entry) this.entries.set(decisionId, { ...entry, sent: true });
  }

  async resolve(decisionId: string, resolution: Resolution): Promise<boolean> {
    const entry = this.entries.get(decisionId);
    if (!entry || entry.resolution) return false;
    this.entries.set(decisionId, { ...entry, resolution });
    return true;
  }

  async remove(decisionId: string): Promise<void> {
    this.entries.delete(decisionId);
  }
}

/** One line of the journal: a change to the store. */
type JournalEntry =
  | { op: 'add'; decision: PendingDecision }
  | { op: 'sent'; decision_id: string }
  | { op: 'resolve'; decision_id: string; resolution: Resolution }
  | { op: 'remove'; decision_id: string };

/** Rewrite the journal once it holds this many more lines than live decisions. */
const COMPACT_AFTER = 1_000;

/**
 * A journal file for one process: every change is appended as a JSON line and fsync'd before
 * the call returns, so a kill -9 loses nothing acknowledged (a torn last line, the write the
 * kill interrupted, is skipped). Compacted by writing a new file, fsyncing it and renaming it
 * over the old one. A file of the earlier format (one JSON array) is read as it is.
 */
export class FilePendingStore extends MemoryPendingStore {
  private queue: Promise<unknown> = Promise.resolve();
  private loaded = false;
  private handle?: FileHandle;
  private lines = 0;

  constructor(readonly path: string) {
    super();
  }

  override list(): Promise<PendingDecision[]> {
    return this.serialized(() => super.list());
  }

  override get(decisionId: string): Promise<PendingDecision | undefined> {
    return this.serialized(() => super.get(decisionId));
  }

  override add(decision: PendingDecision): Promise<void> {
    return this.serialized(async () => {
      await super.add(decision);
      await this.append({ op: 'add', decision });
    });
  }

  override markSent(decisionId: string): Promise<void> {
    return this.serialized(async () => {
      if (!this.entries.has(decisionId)) return;
      await super.markSent(decisionId);
      await this.append({ op: 'sent', decision_id: decisionId });
    });
  }

  override resolve(decisionId: string, resolution: Resolution): Promise<boolean> {
    return this.serialized(async () => {
      if (!(await super.resolve(decisionId, resolution))) return false;
      await this.append({ op: 'resolve', decision_id: decisionId, resolution });
      return true;
    });
  }

  override remove(decisionId: string): Promise<void> {
    return this.serialized(async () => {
      if (!this.entries.has(decisionId)) return;
      await super.remove(decisionId);
      await this.append({ op: 'remove', decision_id: decisionId });
    });
  }

  /** Closes the journal (a later call opens it again). */
  close(): Promise<void> {
    return this.serialized(async () => {
      await this.handle?.close();
      this.handle = undefined;
    });
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      if (!this.loaded) await this.load();
      return work();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      text = '';
    }
    this.entries.clear();
    if (text.trimStart().startsWith('[')) {
      // The earlier format: one JSON array of pending decisions.
      for (const decision of parseArray(this.path, text)) this.entries.set(decision.decision_id, decision);
    } else {
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      for (const [i, line] of lines.entries()) {
        const entry = parseLine(line);
        // Only the last line can be torn (a kill -9 mid-append); anything else is not a journal.
        if (entry === 'torn' && i === lines.length - 1) continue;
        if (entry === 'torn' || entry === 'foreign')
          throw new Error(`${this.path} is not a pending-decisions journal (line ${i + 1}); move it away and restart`);
        this.apply(entry);
      }
    }
    this.loaded = true;
    // Start each process on a clean file: the old format converted, a torn line dropped.
    await this.compact();
  }

  private apply(entry: JournalEntry): void {
    if (entry.op === 'add') this.entries.set(entry.decision.decision_id, entry.decision);
    else if (entry.op === 'remove') this.entries.delete(entry.decision_id);
    else {
      const known = this.entries.get(entry.decision_id);
      if (!known) return;
      this.entries.set(entry.decision_id, entry.op === 'sent' ? { ...known, sent: true } : { ...known, resolution: entry.resolution });
    }
  }

  private async append(entry: JournalEntry): Promise<void> {
    if (this.lines - this.entries.size > COMPACT_AFTER) return this.compact();
    this.handle ??= await open(this.path, 'a');
    await this.handle.appendFile(`${JSON.stringify(entry)}\n`, 'utf8');
    await this.handle.datasync();
    this.lines += 1;
  }

  private async compact(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    const file = await open(temporary, 'w');
    try {
      const text = [...this.entries.values()].map((decision) => `${JSON.stringify({ op: 'add', decision } satisfies JournalEntry)}\n`).join('');
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.path);
    // The rename itself is durable only once the directory is synced.
    const directory = await open(dirname(this.path), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    this.lines = this.entries.size;
  }
}

function parseArray(path: string, text: string): PendingDecision[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error(`${path} is not a pending-decisions file (expected a JSON array); move it away and restart`);
  return parsed as PendingDecision[];
}

function parseLine(line: string): JournalEntry | 'torn' | 'foreign' {
  let entry: Partial<JournalEntry> | null;
  try {
    entry = JSON.parse(line) as Partial<JournalEntry> | null;
  } catch {
    return 'torn';
  }
  return entry && typeof entry === 'object' && ['add', 'sent', 'resolve', 'remove'].includes(entry.op as string) ? (entry as JournalEntry) : 'foreign';
}
