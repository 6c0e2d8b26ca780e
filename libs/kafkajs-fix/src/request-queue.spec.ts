import { createRequire } from 'node:module';
import { REQUEST_QUEUE_FIXED_FOR, fixKafkajsRequestQueue, nextPendingCheck } from './request-queue';

describe('nextPendingCheck', () => {
  const now = 1_000_000;
  it.each([
    // pending, throttled until, -> ms from now (null: no check until a push or a response)
    [0, -1, null],
    [0, now - 5, null],
    [0, now, null],
    [2, -1, 10],
    [2, now, 10],
    [0, now + 40, 40],
    [3, now + 250, 250],
  ])('%i pending, throttled until %d: %p', (pending, throttledUntil, expected) => {
    expect(nextPendingCheck(pending, throttledUntil, now)).toBe(expected);
  });
});

describe('fixKafkajsRequestQueue', () => {
  const load = createRequire(require.resolve('kafkajs'));
  const RequestQueue = load('./src/network/requestQueue/index.js');
  const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const queue = () =>
    new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: true, clientId: 'spec', broker: 'spec:9092', logger: quiet });

  it('applies to the kafkajs release the lockfile holds', () => {
    expect(load('./package.json').version).toBe(REQUEST_QUEUE_FIXED_FOR);
    expect(fixKafkajsRequestQueue()).toBe(true);
    expect(fixKafkajsRequestQueue()).toBe(true);
  });

  it('arms no timer for an empty queue that nothing throttles (kafkajs 2.2.4 re-arms one every millisecond)', () => {
    fixKafkajsRequestQueue();
    const q = queue();
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('still sends a waiting request once the slot it waits for is free, and a throttled queue waits out the throttle', async () => {
    fixKafkajsRequestQueue();
    const q = queue();
    const sent: number[] = [];
    const request = (correlationId: number) => ({ correlationId, expectResponse: true, send: () => sent.push(correlationId) });
    q.inflight.set(1, request(1)); // the one slot is taken
    q.pending.push(request(2));
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    q.inflight.delete(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent).toEqual([2]);
    expect(q.throttleCheckTimeoutId).toBeNull(); // nothing waits any more

    q.throttledUntil = Date.now() + 60_000;
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    q.destroy();
  });
});
