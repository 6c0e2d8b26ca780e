// The agent's bookkeeping, with no Kafka in it: which decisions it proposed (and with what
// content), who waits on which, and the resolutions it has seen lately.
import { ProposedDecision } from './consent';
import { AgentStoppedError, DecisionConflictError, ResolutionTimeoutError } from './errors';
import { Resolution } from './guard';

interface Waiter {
  promise: Promise<Resolution>;
  resolve(resolution: Resolution): void;
  reject(error: Error): void;
}

function waiter(): Waiter {
  let resolve!: (resolution: Resolution) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<Resolution>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // callers get the rejection through their own derived promise
  return { promise, resolve, reject };
}

export type Tracked = { kind: 'new' } | { kind: 'again'; result: Promise<Resolution> };

export class ResolutionBook {
  /** decision_id -> what this agent proposed (action, payload_hash), while unresolved. */
  private readonly pending = new Map<string, ProposedDecision>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly recent = new Map<string, { resolution: Resolution; proposedHash: string }>();

  constructor(private readonly recentLimit = 1_000) {}

  /**
   * Records a proposal. A repeat of the same content is not new (nothing to publish); the
   * same id with other content is a conflict.
   */
  track(decisionId: string, payloadHash: string, action: string): Tracked {
    const known = this.pending.get(decisionId)?.payload_hash ?? this.recent.get(decisionId)?.proposedHash;
    if (known === undefined) {
      this.pending.set(decisionId, { decision_id: decisionId, action, payload_hash: payloadHash });
      return { kind: 'new' };
    }
    if (known !== payloadHash) throw new DecisionConflictError(decisionId);
    return { kind: 'again', result: this.wait(decisionId) };
  }

  /** Forgets a proposal that could not be published (so it can be proposed again) and fails its waits. */
  untrack(decisionId: string, error: Error): void {
    this.pending.delete(decisionId);
    this.waiters.get(decisionId)?.reject(error);
    this.waiters.delete(decisionId);
  }

  isPending(decisionId: string): boolean {
    return this.pending.has(decisionId);
  }

  /** What this agent proposed under a decision_id it still waits on. */
  proposal(decisionId: string): ProposedDecision | undefined {
    return this.pending.get(decisionId);
  }

  /** Whether a caller is waiting for this decision's outcome right now. */
  isAwaited(decisionId: string): boolean {
    return this.waiters.has(decisionId);
  }

  /** Stops tracking a decision another replica took over, failing whoever waited here. */
  forget(decisionId: string, error: Error): void {
    this.untrack(decisionId, error);
  }

  isKnown(decisionId: string): boolean {
    return this.pending.has(decisionId) || this.recent.has(decisionId);
  }

  pendingIds(): string[] {
    return [...this.pending.keys()];
  }

  /** A resolution arrived; returns false when it is not about one of this agent's decisions. */
  settle(resolution: Resolution): boolean {
    const id = resolution.decision_id;
    const proposedHash = this.pending.get(id)?.payload_hash;
    if (proposedHash === undefined) return false;
    this.pending.delete(id);
    this.recent.set(id, { resolution, proposedHash });
    while (this.recent.size > this.recentLimit) this.recent.delete(this.recent.keys().next().value as string);
    this.waiters.get(id)?.resolve(resolution);
    this.waiters.delete(id);
    return true;
  }

  /** The resolution of a known decision: at once when seen, else when it arrives. */
  wait(decisionId: string): Promise<Resolution> {
    const seen = this.recent.get(decisionId);
    if (seen) return Promise.resolve(seen.resolution);
    let w = this.waiters.get(decisionId);
    if (!w) {
      w = waiter();
      this.waiters.set(decisionId, w);
    }
    return w.promise;
  }

  /** Ends every wait (the agent stops); the decisions stay pending. */
  abandonWaits(): void {
    for (const [id, w] of this.waiters) w.reject(new AgentStoppedError(id));
    this.waiters.clear();
  }
}

/** `promise`, or a ResolutionTimeoutError after `timeoutMs` (none when undefined). */
export function withTimeout(decisionId: string, promise: Promise<Resolution>, timeoutMs: number | undefined): Promise<Resolution> {
  if (timeoutMs === undefined) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ResolutionTimeoutError(decisionId, timeoutMs)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
