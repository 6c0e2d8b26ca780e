import { OffsetCommitter, membershipLost } from './offset-committer';

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

  describe('with a spacing between commits', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('commits the first at once, then at most one a spacing, with the latest offset of each partition handed meanwhile', async () => {
      const b = broker();
      const committer = new OffsetCommitter(b.commit, () => undefined, { spacingMs: 200 });
      committer.commit('t', 0, '1');
      expect(b.calls).toHaveLength(1);
      await b.settle();
      committer.commit('t', 0, '2');
      committer.commit('t', 1, '6');
      committer.commit('t', 0, '3');
      await jest.advanceTimersByTimeAsync(150);
      expect(b.calls).toHaveLength(1); // within the spacing
      await jest.advanceTimersByTimeAsync(50);
      expect(b.calls).toEqual([
        [{ topic: 't', partition: 0, offset: '1' }],
        [
          { topic: 't', partition: 0, offset: '3' },
          { topic: 't', partition: 1, offset: '6' },
        ],
      ]);
      await b.settle();
      // A spacing after the last one, the next goes at once.
      await jest.advanceTimersByTimeAsync(200);
      committer.commit('t', 0, '4');
      expect(b.calls).toHaveLength(3);
      await b.settle();
      await committer.flush();
    });

    it('flush does not wait out the spacing: closing commits what was handled now', async () => {
      const b = broker();
      const committer = new OffsetCommitter(b.commit, () => undefined, { spacingMs: 60_000 });
      committer.commit('t', 0, '1');
      await b.settle();
      committer.commit('t', 0, '2');
      const flushed = committer.flush();
      await jest.advanceTimersByTimeAsync(0);
      expect(b.calls.map((c) => c[0].offset)).toEqual(['1', '2']);
      await b.settle();
      await flushed;
    });

    it('commits nothing when every offset waiting out the spacing was of a partition given away', async () => {
      const b = broker();
      const committer = new OffsetCommitter(b.commit, () => undefined, { spacingMs: 200 });
      committer.commit('t', 0, '1');
      await b.settle();
      committer.commit('t', 1, '9');
      committer.keepOnly((_topic, partition) => partition === 0);
      await jest.advanceTimersByTimeAsync(300);
      await committer.flush();
      expect(b.calls).toHaveLength(1);
    });
  });

  /** A refusal as kafkajs reports it: its retrier's error, the broker's as the cause. */
  const refused = (type: string) =>
    Object.assign(new Error('The coordinator is not aware of this member'), { name: 'KafkaJSNonRetriableError', cause: { type } });

  it.each([
    ['the member unknown to the coordinator (wrapped)', refused('UNKNOWN_MEMBER_ID'), true],
    ['an old generation (wrapped)', refused('ILLEGAL_GENERATION'), true],
    ['a rebalance in progress (the broker error itself)', { type: 'REBALANCE_IN_PROGRESS' }, true],
    ['a network failure', new Error('connect ECONNREFUSED'), false],
    ['another broker error', refused('NOT_LEADER_FOR_PARTITION'), false],
    ['not an error at all', 'oops', false],
  ])('tells a refusal for membership: %s', (_name, error, lost) => {
    expect(membershipLost(error)).toBe(lost);
  });

  describe('a commit refused because the consumer is no longer a member', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('is tried again a retry later with its offsets (or later ones), and after three refusals as an unknown member in a row says the consumer must rejoin', async () => {
      const b = broker();
      let lost = 0;
      const committer = new OffsetCommitter(b.commit, () => undefined, { retryMs: 1_000, onMembershipLost: () => lost++ });
      committer.commit('t', 0, '5');
      committer.commit('t', 1, '2');
      await b.settle(); // t/0 at 5; then t/1 at 2 goes
      committer.commit('t', 0, '5');
      await b.settle(refused('UNKNOWN_MEMBER_ID')); // t/1 at 2 refused; t/0 at 5 waits with it
      committer.commit('t', 0, '6'); // a later offset of one partition meanwhile: it wins, and waits for the retry
      await jest.advanceTimersByTimeAsync(999);
      expect(b.calls).toHaveLength(2);
      await jest.advanceTimersByTimeAsync(1);
      expect([...b.calls[2]].sort((x, y) => x.partition - y.partition)).toEqual([
        { topic: 't', partition: 0, offset: '6' },
        { topic: 't', partition: 1, offset: '2' },
      ]);
      await b.settle(refused('UNKNOWN_MEMBER_ID'));
      expect(lost).toBe(0);
      await jest.advanceTimersByTimeAsync(1_000);
      await b.settle(refused('UNKNOWN_MEMBER_ID'));
      expect(lost).toBe(1);
      await jest.advanceTimersByTimeAsync(1_000);
      await b.settle();
      expect(b.calls).toHaveLength(5);
      // Committed: nothing is tried again.
      await jest.advanceTimersByTimeAsync(5_000);
      expect(b.calls).toHaveLength(5);
      expect(b.calls.map((c) => c.map((o) => `${o.partition}@${o.offset}`).sort())).toEqual([['0@5'], ['1@2'], ['0@6', '1@2'], ['0@6', '1@2'], ['0@6', '1@2']]);
    });

    it('only retries during a rebalance or after a generation passed: the client rejoins on its own', async () => {
      const b = broker();
      let lost = 0;
      const committer = new OffsetCommitter(b.commit, () => undefined, { retryMs: 1_000, onMembershipLost: () => lost++ });
      committer.commit('t', 0, '5');
      for (const type of [
        'REBALANCE_IN_PROGRESS',
        'ILLEGAL_GENERATION',
        'UNKNOWN_MEMBER_ID',
        'UNKNOWN_MEMBER_ID',
        'REBALANCE_IN_PROGRESS',
        'UNKNOWN_MEMBER_ID',
      ]) {
        await b.settle(refused(type));
        await jest.advanceTimersByTimeAsync(1_000);
      }
      expect(lost).toBe(0);
      await b.settle();
      await committer.flush();
      expect(b.calls).toHaveLength(7);
    });

    it('is not tried again once the consumer flushes to close', async () => {
      const b = broker();
      const committer = new OffsetCommitter(b.commit, () => undefined, { retryMs: 1_000 });
      committer.commit('t', 0, '5');
      await b.settle(refused('UNKNOWN_MEMBER_ID'));
      const flushing = committer.flush();
      await b.settle(refused('UNKNOWN_MEMBER_ID')); // the flush's own attempt
      await flushing;
      await jest.advanceTimersByTimeAsync(10_000);
      expect(b.calls).toHaveLength(2);
    });
  });
});
