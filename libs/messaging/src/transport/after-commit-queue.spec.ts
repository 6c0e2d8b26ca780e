import { AfterCommitQueue, CommittedWork, Rewind } from './after-commit-queue';

/** A chunk whose publish waits until the test settles it; `log` says what happened, in order. */
function chunk(log: string[], topic: string, partition: number, firstOffset: string) {
  let settle!: { resolve: () => void; reject: (error: Error) => void };
  const started = { value: false };
  const work: CommittedWork = {
    topic,
    partition,
    firstOffset,
    publish: () => {
      started.value = true;
      log.push(`publish ${topic}/${partition}@${firstOffset}`);
      return new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    },
    published: () => void log.push(`commit ${topic}/${partition}@${firstOffset}`),
  };
  return { work, started, resolve: () => settle.resolve(), reject: (message: string) => settle.reject(new Error(message)) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('AfterCommitQueue', () => {
  let clock: number;
  let failures: { error: string; rewinds: Rewind[] }[];
  let queue: AfterCommitQueue;

  beforeEach(() => {
    clock = 1_000;
    failures = [];
    queue = new AfterCommitQueue({
      capacity: 2,
      onFailure: (error, rewinds) => void failures.push({ error: (error as Error).message, rewinds }),
      backoffMs: (n) => 100 * 2 ** n,
      now: () => clock,
    });
  });

  it('publishes one chunk at a time in the order they came, and commits each offset only once it is published', async () => {
    const log: string[] = [];
    const a = chunk(log, 't', 0, '0');
    const b = chunk(log, 't', 1, '0');
    const c = chunk(log, 't', 0, '5');
    for (const x of [a, b, c]) queue.add(x.work);
    await tick();
    expect(log).toEqual(['publish t/0@0']);
    expect(b.started.value).toBe(false);
    a.resolve();
    await tick();
    b.resolve();
    await tick();
    c.resolve();
    await queue.flush();
    expect(log).toEqual(['publish t/0@0', 'commit t/0@0', 'publish t/1@0', 'commit t/1@0', 'publish t/0@5', 'commit t/0@5']);
    expect(queue.pending).toBe(0);
  });

  it('has room for as many chunks as its capacity, and says when a publish frees one', async () => {
    const log: string[] = [];
    const a = chunk(log, 't', 0, '0');
    const b = chunk(log, 't', 0, '1');
    expect(queue.hasRoom()).toBe(true);
    queue.add(a.work);
    expect(queue.hasRoom()).toBe(true);
    queue.add(b.work);
    expect(queue.hasRoom()).toBe(false);
    const changed = queue.changed();
    a.resolve();
    await changed;
    expect(queue.hasRoom()).toBe(true);
    b.resolve();
    await queue.flush();
    await expect(queue.changed()).resolves.toBeUndefined();
  });

  it('drops a failed chunk and every one behind it, commits none of their offsets, and rewinds each partition to its first', async () => {
    const log: string[] = [];
    const a = chunk(log, 't', 0, '10');
    const b = chunk(log, 't', 1, '4');
    const c = chunk(log, 't', 0, '12');
    const d = chunk(log, 'u', 2, '7');
    for (const x of [a, b, c, d]) queue.add(x.work);
    await tick();
    a.resolve();
    await tick();
    b.reject('broker gone');
    await queue.flush();
    expect(log).toEqual(['publish t/0@10', 'commit t/0@10', 'publish t/1@4']);
    expect(failures).toEqual([
      {
        error: 'broker gone',
        rewinds: [
          { topic: 't', partition: 1, offset: '4' },
          { topic: 't', partition: 0, offset: '12' },
          { topic: 'u', partition: 2, offset: '7' },
        ],
      },
    ]);
    expect(queue.pending).toBe(0);
    expect(c.started.value).toBe(false);
    expect(d.started.value).toBe(false);
  });

  it('rewinds a partition to the lowest offset it dropped, whatever the order', async () => {
    const log: string[] = [];
    const a = chunk(log, 't', 0, '20');
    const b = chunk(log, 't', 0, '9');
    queue.add(a.work);
    queue.add(b.work);
    await tick();
    a.reject('no');
    await queue.flush();
    expect(failures[0].rewinds).toEqual([{ topic: 't', partition: 0, offset: '9' }]);
  });

  it('holds new chunks for a back-off after each failure in a row, and no longer after a publish succeeds', async () => {
    const log: string[] = [];
    const fail = async (offset: string) => {
      const x = chunk(log, 't', 0, offset);
      queue.add(x.work);
      await tick();
      x.reject('down');
      await queue.flush();
    };
    await fail('0');
    expect(queue.hasRoom()).toBe(false);
    expect(queue.holdMs()).toBe(100);
    clock += 100;
    expect(queue.hasRoom()).toBe(true);
    await fail('0');
    expect(queue.holdMs()).toBe(200);
    clock += 200;
    const ok = chunk(log, 't', 0, '0');
    queue.add(ok.work);
    await tick();
    ok.resolve();
    await queue.flush();
    await fail('1');
    expect(queue.holdMs()).toBe(100);
  });
});
