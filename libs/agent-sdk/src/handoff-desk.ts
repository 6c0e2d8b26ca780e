// "Get a human", agent side, without Kafka: the sessions this process suspended for a person,
// who waits for each to come back, and which handbacks were already handed over (a
// redelivered one is not resumed twice).
import { HandoffReturnedData } from '@hitl/contracts';
import { HandbackTimeoutError, HandoffAbandonedError } from './errors';

/** A session a person returned: handed back (resume it with the notes) or closed. */
export type Handback = Pick<HandoffReturnedData, 'handoff_id' | 'session_id' | 'resolution' | 'notes' | 'reply' | 'returned_by' | 'checkpoint'>;

/** Resumes (or ends) a session a person returned when no caller in this process awaits it: after a restart, or for a handoff another process asked for. */
export type HandbackHandler = (handback: Handback) => Promise<void> | void;

interface Waiter {
  resolve: (handback: Handback) => void;
  reject: (error: Error) => void;
}

export class HandoffDesk {
  /** Handoff id -> session id, for the handoffs this process asked for and still waits on. */
  private readonly suspended = new Map<string, string>();
  private readonly waiters = new Map<string, Waiter[]>();
  /** Handoffs already handed over (bounded): Kafka delivers at least once. */
  private readonly done = new Set<string>();

  constructor(private readonly remember = 1_000) {}

  suspend(handoffId: string, sessionId: string): void {
    this.suspended.set(handoffId, sessionId);
  }

  isSuspended(sessionId: string): boolean {
    return [...this.suspended.values()].includes(sessionId);
  }

  /** The handback of `handoffId`, when it comes; rejects after `timeoutMs` (the handoff stays open). */
  wait(handoffId: string, timeoutMs?: number): Promise<Handback> {
    const handback = new Promise<Handback>((resolve, reject) => {
      const list = this.waiters.get(handoffId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(handoffId, list);
    });
    if (timeoutMs === undefined) return handback;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HandbackTimeoutError(handoffId, timeoutMs)), timeoutMs);
    });
    return Promise.race([handback, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * A verified handback: to the callers awaiting it (true), or, when none does, whether the
   * handler should get it (false: it was handed over before).
   */
  deliver(handback: Handback): { to: 'waiters' | 'handler' | 'nobody' } {
    if (this.done.has(handback.handoff_id)) return { to: 'nobody' };
    this.done.add(handback.handoff_id);
    while (this.done.size > this.remember) this.done.delete(this.done.values().next().value as string);
    this.suspended.delete(handback.handoff_id);
    const waiting = this.waiters.get(handback.handoff_id);
    this.waiters.delete(handback.handoff_id);
    if (!waiting?.length) return { to: 'handler' };
    for (const waiter of waiting) waiter.resolve(handback);
    return { to: 'waiters' };
  }

  /** The request never reached the broker: nobody will return it. */
  cancel(handoffId: string, error: Error): void {
    this.suspended.delete(handoffId);
    for (const waiter of this.waiters.get(handoffId) ?? []) waiter.reject(error);
    this.waiters.delete(handoffId);
  }

  /** Forgets a handback the handler failed on, so a redelivery hands it over again. */
  retry(handoffId: string): void {
    this.done.delete(handoffId);
  }

  /** The agent stops: callers stop waiting; the handoffs stay open for the next start. */
  abandon(): void {
    for (const [id, waiting] of this.waiters) for (const waiter of waiting) waiter.reject(new HandoffAbandonedError(id));
    this.waiters.clear();
    this.suspended.clear();
  }
}
