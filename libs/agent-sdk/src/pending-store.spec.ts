import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resolution } from './guard';
import { FilePendingStore, MemoryPendingStore, PendingDecision, PendingStore } from './pending-store';

const decision = (id: string): PendingDecision => ({
  decision_id: id,
  action: 'process_refund',
  parameters: { order_id: 'ORD-1', amount_usd: 120 },
  payload_hash: 'sha256:' + '0'.repeat(64),
  proposed_at: '2026-11-22T10:00:00.000Z',
});

const approved = (id: string) => ({ decision_id: id, status: 'approved' }) as unknown as Resolution;

const opened: FilePendingStore[] = [];
const file = (path: string) => {
  const store = new FilePendingStore(path);
  opened.push(store);
  return store;
};

describe('pending store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hitl-agent-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
    await rm(dir, { recursive: true, force: true });
  });

  const stores: [string, (path: string) => PendingStore][] = [
    ['memory', () => new MemoryPendingStore()],
    ['file', (path) => file(path)],
  ];

  it.each(stores)('%s: keeps an outcome once, until the decision is removed', async (_, make) => {
    const store = make(join(dir, 'pending.journal'));
    await store.add(decision('a'));
    await store.markSent('a');
    expect(await store.resolve('a', approved('a'))).toBe(true);
    expect(await store.resolve('a', { ...approved('a'), status: 'denied' } as Resolution)).toBe(false);
    expect(await store.resolve('unknown', approved('unknown'))).toBe(false);
    expect(await store.get('a')).toEqual({ ...decision('a'), sent: true, resolution: approved('a') });
    await store.remove('a');
    expect(await store.list()).toEqual([]);
  });

  it('a journal round-trips through a new instance, as after a kill -9: proposals, sends and outcomes', async () => {
    const path = join(dir, 'nested', 'pending.journal');
    const before = file(path);
    await before.add(decision('a'));
    await before.add(decision('b'));
    await before.add(decision('c'));
    await before.markSent('b');
    await before.resolve('c', approved('c'));
    await before.remove('a');
    // No close(): what was acknowledged is on disk already.
    const after = file(path);
    expect(await after.list()).toEqual([
      { ...decision('b'), sent: true },
      { ...decision('c'), resolution: approved('c') },
    ]);
  });

  it('skips a torn last line (the append a kill -9 interrupted) and keeps the rest', async () => {
    const path = join(dir, 'pending.journal');
    const before = file(path);
    await before.add(decision('a'));
    await appendFile(path, '{"op":"add","decision":{"decision_id":"b","act');
    expect((await file(path).list()).map((d) => d.decision_id)).toEqual(['a']);
  });

  it('reads a file of the earlier format (one JSON array)', async () => {
    const path = join(dir, 'pending.json');
    await writeFile(path, JSON.stringify([decision('a'), decision('b')]));
    const store = file(path);
    await store.remove('a');
    expect(await file(path).list()).toEqual([decision('b')]);
  });

  it('adding the same id twice keeps one', async () => {
    const store = file(join(dir, 'pending.journal'));
    expect(await store.list()).toEqual([]);
    await Promise.all([store.add(decision('a')), store.add(decision('a')), store.add(decision('c'))]);
    expect((await store.list()).map((d) => d.decision_id).sort()).toEqual(['a', 'c']);
  });

  it.each([
    ['not an array', '{"not": "an array"}'],
    ['a torn line before the last', '{"op":"add","decision":{"deci\n{"op":"remove","decision_id":"a"}\n'],
  ])('refuses a file that is not a journal (%s), saying what to do, and leaves it alone', async (_, text) => {
    const path = join(dir, 'pending.json');
    await writeFile(path, text);
    await expect(file(path).list()).rejects.toThrow('move it away and restart');
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('compacts a long journal to the live decisions', async () => {
    const path = join(dir, 'pending.journal');
    const store = file(path);
    for (let i = 0; i < 1_100; i++) {
      await store.add(decision(`d${i}`));
      await store.remove(`d${i}`);
    }
    await store.add(decision('kept'));
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThan(1_100);
    expect(await file(path).list()).toEqual([decision('kept')]);
  }, 60_000); // a thousand fsyncs: slow on a busy disk, and that is not what it checks
});
