import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';

/**
 * Wakes the requests of this replica that wait for a decision (a long-poll, a stream) as soon
 * as its outcome or a question is kept here, instead of at their next poll. Kept in the
 * consumer's transaction, so a woken reader may look just before the commit: it looks again
 * shortly after. Requests another replica holds still find it at their next poll.
 */
@Injectable()
export class OutcomeSignal {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per waiting request: as many as the replica serves at once.
    this.emitter.setMaxListeners(0);
  }

  /** Something changed for the decision (its outcome, a question). */
  changed(decisionId: string): void {
    this.emitter.emit(decisionId);
  }

  /** Resolves when the decision changes here, or after `ms`, whichever is first. */
  next(decisionId: string, ms: number): Promise<'changed' | 'timeout'> {
    return new Promise((resolve) => {
      const done = (why: 'changed' | 'timeout') => {
        clearTimeout(timer);
        this.emitter.off(decisionId, onChange);
        resolve(why);
      };
      const onChange = () => done('changed');
      const timer = setTimeout(() => done('timeout'), Math.max(0, ms));
      this.emitter.once(decisionId, onChange);
    });
  }
}
