import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilePendingStore, MemoryPendingStore, PendingDecision } from './pending-store';

const decision = (id: string): PendingDecision => ({
  decision_id: id,
  action: 'process_refund',
  parameters: { order_id: 'ORD-1', amount_usd: 120 },
  payload_hash: 'sha256:' + '0'.repeat(64),
  proposed_at: '2026-11-22T10:00:00.000Z',
});

describe('pending store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hitl-agent-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('a file store round-trips through a new instance, as after a restart', async () => {
    const path = join(dir, 'nested', 'pending.json');
    const before = new FilePendingStore(path);
    await before.add(decision('a'));
    await before.add(decision('b'));
    await before.remove('a');
    const after = new FilePendingStore(path);
    expect(await after.list()).toEqual([decision('b')]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual([decision('b')]);
  });

  it('a missing file is an empty store; adding the same id twice keeps one', async () => {
    const store = new FilePendingStore(join(dir, 'pending.json'));
    expect(await store.list()).toEqual([]);
    await Promise.all([store.add(decision('a')), store.add(decision('a')), store.add(decision('c'))]);
    expect((await store.list()).map((d) => d.decision_id).sort()).toEqual(['a', 'c']);
  });

  it('refuses a file that is not a pending-decisions file, saying what to do', async () => {
    const path = join(dir, 'pending.json');
    await writeFile(path, '{"not": "an array"}');
    await expect(new FilePendingStore(path).list()).rejects.toThrow('move it away and restart');
  });

  it('the memory store lists what was added and not removed', async () => {
    const store = new MemoryPendingStore();
    await store.add(decision('a'));
    await store.add(decision('b'));
    await store.remove('b');
    expect(await store.list()).toEqual([decision('a')]);
  });
});
