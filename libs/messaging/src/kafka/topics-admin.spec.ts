// A service starting beside a settling broker waits out its retriable errors, and only those.
import { APPROVAL_EVENT_MAX_BYTES, AUDIT_RECORD_MAX_BYTES, topicConfigEntries, whileBrokerSettles } from './topics-admin';

/** What kafkajs throws when a metadata request names a topic the broker does not know yet (code 3, retriable). */
const unknownTopic = () =>
  Object.assign(new Error('This server does not host this topic-partition'), {
    name: 'KafkaJSProtocolError',
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
    code: 3,
    retriable: true,
  });

describe('whileBrokerSettles', () => {
  it('tries again while the broker answers with a retriable error, and gives what succeeds', async () => {
    let calls = 0;
    const result = await whileBrokerSettles(async () => {
      calls += 1;
      if (calls < 3) throw unknownTopic();
      return 'subscribed';
    });
    expect([result, calls]).toEqual(['subscribed', 3]);
  });

  it('throws at once what is not retriable', async () => {
    let calls = 0;
    const refused = Object.assign(new Error('Not authorized to access topics'), { retriable: false });
    await expect(
      whileBrokerSettles(async () => {
        calls += 1;
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it('gives up with the last error once the time is out', async () => {
    // The clock is jest's, so a machine stalled under load cannot change how many tries fit.
    jest.useFakeTimers({ now: 0 });
    try {
      const tries: number[] = [];
      const settled = whileBrokerSettles(async () => {
        tries.push(Date.now());
        throw unknownTopic();
      }, 250);
      const outcome = expect(settled).rejects.toThrow('does not host this topic-partition');
      await jest.advanceTimersByTimeAsync(1_000);
      await outcome;
      // At 0, at 100, and not at 300: the next wait (200 ms) would end past the 250 ms.
      expect(tries).toEqual([0, 100]);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('topicConfigEntries', () => {
  const larger = [{ name: 'max.message.bytes', value: String(AUDIT_RECORD_MAX_BYTES) }];
  const approval = [{ name: 'max.message.bytes', value: String(APPROVAL_EVENT_MAX_BYTES) }];
  it.each([
    ['audit.recorded', larger],
    ['audit.recorded.dlq', larger],
    ['t-1.audit.recorded', larger],
    ['bench-9f.audit.recorded.dlq', larger],
    ['approval.requested', approval],
    ['t-1.approval.updated', approval],
    ['approval.resolved.dlq', approval],
    ['bench-9f.approval.resolved', approval],
    // What agents write stays at the broker's limit: what answers it is larger.
    ['decision.proposed', []],
    ['t-1.decision.proposed.dlq', []],
    ['action.executed', []],
    ['not-audit.recorded', []],
    ['audit.recorded.copy', []],
    ['approval.resolved.copy', []],
  ])('%s', (name, expected) => {
    expect(topicConfigEntries(name)).toEqual(expected);
  });
});
