import { randomUUID } from 'node:crypto';
import { AgentStoppedError, DecisionConflictError, ResolutionTimeoutError } from './errors';
import { Resolution } from './guard';
import { ResolutionBook, withTimeout } from './resolution-book';

const resolved = (decisionId: string): Resolution =>
  ({ decision_id: decisionId, status: 'approved', parameters: {}, payload_hash: 'sha256:h' }) as unknown as Resolution;

describe('resolution book: idempotent proposals and their outcomes', () => {
  it('treats a repeat of the same proposal as nothing new and answers both with one outcome', async () => {
    const book = new ResolutionBook();
    const id = randomUUID();
    expect(book.track(id, 'sha256:a', 'process_refund')).toEqual({ kind: 'new' });
    const first = book.wait(id);
    const again = book.track(id, 'sha256:a', 'process_refund');
    expect(again.kind).toBe('again');
    expect(book.settle(resolved(id))).toBe(true);
    const outcome = await first;
    expect(again.kind === 'again' && (await again.result)).toBe(outcome);
  });

  it('answers a repeat after the outcome at once, without publishing', async () => {
    const book = new ResolutionBook();
    const id = randomUUID();
    book.track(id, 'sha256:a', 'process_refund');
    book.settle(resolved(id));
    const again = book.track(id, 'sha256:a', 'process_refund');
    expect(again.kind).toBe('again');
    await expect(again.kind === 'again' && again.result).resolves.toMatchObject({ decision_id: id });
  });

  it('refuses the same decision_id with other content, before and after the outcome', () => {
    const book = new ResolutionBook();
    const id = randomUUID();
    book.track(id, 'sha256:a', 'process_refund');
    expect(() => book.track(id, 'sha256:b', 'process_refund')).toThrow(DecisionConflictError);
    book.settle(resolved(id));
    expect(() => book.track(id, 'sha256:b', 'process_refund')).toThrow(DecisionConflictError);
  });

  it("ignores other agents' resolutions", () => {
    const book = new ResolutionBook();
    expect(book.settle(resolved(randomUUID()))).toBe(false);
  });

  it('keeps only the most recent resolutions', () => {
    const book = new ResolutionBook(2);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) {
      book.track(id, 'sha256:a', 'process_refund');
      book.settle(resolved(id));
    }
    expect(ids.map((id) => book.isKnown(id))).toEqual([false, true, true]);
  });

  it('lets a failed publish be proposed again, failing whoever waited', async () => {
    const book = new ResolutionBook();
    const id = randomUUID();
    book.track(id, 'sha256:a', 'process_refund');
    const waiting = book.wait(id);
    book.untrack(id, new Error('broker down'));
    await expect(waiting).rejects.toThrow('broker down');
    expect(book.track(id, 'sha256:b', 'process_refund')).toEqual({ kind: 'new' });
  });

  it('ends waits on stop but keeps the decision pending', async () => {
    const book = new ResolutionBook();
    const id = randomUUID();
    book.track(id, 'sha256:a', 'process_refund');
    const waiting = book.wait(id);
    book.abandonWaits();
    await expect(waiting).rejects.toBeInstanceOf(AgentStoppedError);
    expect(book.pendingIds()).toEqual([id]);
  });

  it('times a wait out with a ResolutionTimeoutError that says how to await it again', async () => {
    const book = new ResolutionBook();
    const id = randomUUID();
    book.track(id, 'sha256:a', 'process_refund');
    const error = await withTimeout(id, book.wait(id), 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResolutionTimeoutError);
    expect((error as Error).message).toContain(`resolution("${id}")`);
    expect(book.isPending(id)).toBe(true);
  });
});
