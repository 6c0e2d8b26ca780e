import { OffsetCommitter } from './offset-committer';

type Offsets = { topic: string; partition: number; offset: string }[];

/** A broker call that answers when the test says so, recording what it was asked to commit. */
function broker() {
  const calls: Offsets[] = [];
  const answers: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const commit = (offsets: Offsets) =>
    new Promise<void>((resolve, reject) => {
      calls.push(offsets);
      answers.push({ resolve, reject });
    });
  const settle = async (outcome: 'ok' | Error = 'ok') => {
    const answer = answers.shift()!;
    if (outcome === 'ok') answer.resolve();
    else answer.reject(outcome);
    // Let the committer see the answer and start its next commit.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { calls, commit, settle };
}

describe('OffsetCommitter', () => {
  it('commits at once, and what arrives meanwhile in one commit after it: the latest offset of each partition', async () => {
    const b = broker();
    const errors: unknown[] = [];
    const committer = new OffsetCommitter(b.commit, (e) => errors.push(e));
    committer.commit('t', 0, '11');
    expect(b.calls).toEqual([[{ topic: 't', partition: 0, offset: '11' }]]);
    committer.commit('t', 0, '12');
    committer.commit('t', 1, '5');
    committer.commit('t', 0, '14');
    expect(b.calls).toHaveLength(1); // one commit at a time
    await b.settle();
    expect(b.calls[1]).toEqual([
      { topic: 't', partition: 0, offset: '14' },
      { topic: 't', partition: 1, offset: '5' },
    ]);
    await b.settle();
    await committer.flush();
    expect(b.calls).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('flush resolves only once everything handed to it was committed', async () => {
    const b = broker();
    const committer = new OffsetCommitter(b.commit, () => undefined);
    committer.commit('t', 0, '1');
    committer.commit('t', 0, '2');
    let flushed = false;
    const flushing = committer.flush().then(() => (flushed = true));
    await b.settle();
    expect(flushed).toBe(false); // offset 2 is still to commit
    await b.settle();
    await flushing;
    expect(flushed).toBe(true);
    expect(b.calls.map((c) => c[0].offset)).toEqual(['1', '2']);
  });

  it('reports a failed commit and goes on with the next offsets, without trying the failed ones again', async () => {
    const b = broker();
    const errors: { error: unknown; offsets: Offsets }[] = [];
    const committer = new OffsetCommitter(b.commit, (error, offsets) => errors.push({ error, offsets }));
    committer.commit('t', 0, '7');
    await b.settle(new Error('not the coordinator'));
    expect(errors).toEqual([{ error: new Error('not the coordinator'), offsets: [{ topic: 't', partition: 0, offset: '7' }] }]);
    await committer.flush();
    expect(b.calls).toHaveLength(1);
    committer.commit('t', 0, '9');
    await b.settle();
    expect(b.calls.map((c) => c[0].offset)).toEqual(['7', '9']);
  });

  it('forgets offsets of partitions given to another member before it commits them', async () => {
    const b = broker();
    const committer = new OffsetCommitter(b.commit, () => undefined);
    committer.commit('t', 0, '3');
    committer.commit('t', 1, '8');
    committer.commit('t', 2, '4');
    committer.keepOnly((topic, partition) => topic === 't' && partition !== 1);
    await b.settle();
    expect(b.calls[1]).toEqual([{ topic: 't', partition: 2, offset: '4' }]);
    await b.settle();
    await committer.flush();
  });
});
