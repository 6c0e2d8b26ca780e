import { rideOut } from './outage';

/** A clock that only moves when the code under test sleeps. */
function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
}

const gaveUp = (last: Error) => new Error(`gave up: ${last.message}`);

describe('riding out a broker outage', () => {
  it.each([
    // outage the broker has (ms), budget (ms), acknowledged?
    [0, 120_000, true],
    [60_000, 120_000, true],
    [119_000, 120_000, true],
    [180_000, 120_000, false],
  ])('broker away for %i ms with a budget of %i ms: acknowledged %s', async (awayMs, outageMs, acknowledged) => {
    const c = clock();
    const sent: number[] = [];
    const attempt = async () => {
      sent.push(c.now());
      if (c.now() < awayMs) throw new Error('connection refused');
      return 'ack';
    };
    const outcome = rideOut(attempt, gaveUp, { outageMs, now: c.now, sleep: c.sleep, maxPauseMs: 1_000 });
    if (acknowledged) await expect(outcome).resolves.toBe('ack');
    else await expect(outcome).rejects.toThrow('gave up: connection refused');
    // Never tried past the budget; once acknowledged, never again.
    expect(Math.max(...sent)).toBeLessThanOrEqual(outageMs);
    if (acknowledged) expect(sent.filter((t) => t >= awayMs)).toHaveLength(1);
  });

  it('backs off from the first pause up to the longest one', async () => {
    const c = clock();
    const sent: number[] = [];
    await rideOut(
      async () => {
        sent.push(c.now());
        throw new Error('down');
      },
      gaveUp,
      { outageMs: 10_000, firstPauseMs: 250, maxPauseMs: 2_000, now: c.now, sleep: c.sleep },
    ).catch(() => undefined);
    expect(sent.slice(0, 6)).toEqual([0, 250, 750, 1_750, 3_750, 5_750]);
  });

  it('throws a fatal error at once, without retrying', async () => {
    const c = clock();
    let attempts = 0;
    const refused = Object.assign(new Error('not authorized'), { type: 'TOPIC_AUTHORIZATION_FAILED' });
    const outcome = rideOut(
      async () => {
        attempts += 1;
        throw refused;
      },
      gaveUp,
      { outageMs: 60_000, now: c.now, sleep: c.sleep },
      (e) => (e as { type?: string }).type === 'TOPIC_AUTHORIZATION_FAILED',
    );
    await expect(outcome).rejects.toBe(refused);
    expect(attempts).toBe(1);
  });
});
