import { percentile, ratePerSecond, ratio, summarize, tailOf } from './stats';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it.each([
    { sorted: [7], p: 50, expected: 7 },
    { sorted: [7], p: 99, expected: 7 },
    { sorted: [1, 2], p: 50, expected: 1 },
    { sorted: [1, 2], p: 51, expected: 2 },
    { sorted: [1, 2, 3, 4], p: 75, expected: 3 },
    { sorted: [1, 2, 3, 4], p: 100, expected: 4 },
    { sorted: hundred, p: 50, expected: 50 },
    { sorted: hundred, p: 95, expected: 95 },
    { sorted: hundred, p: 99, expected: 99 },
    { sorted: hundred, p: 99.5, expected: 100 },
    { sorted: hundred, p: 0.1, expected: 1 },
  ])('p$p of $sorted.length values is $expected', ({ sorted, p, expected }) => {
    expect(percentile(sorted, p)).toBe(expected);
  });

  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });

  it.each([0, -1, 100.1, Number.NaN])('refuses p = %p', (p) => {
    expect(() => percentile([1], p)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it.each([
    { samples: [3, 1, 2], expected: { count: 3, p50: 2, p95: 3, p99: 3, max: 3 } },
    { samples: [10, 0.5, 200, 7, 7], expected: { count: 5, p50: 7, p95: 200, p99: 200, max: 200 } },
    { samples: Array.from({ length: 1000 }, (_, i) => 1000 - i), expected: { count: 1000, p50: 500, p95: 950, p99: 990, max: 1000 } },
  ])('$samples.length samples', ({ samples, expected }) => {
    expect(summarize(samples)).toEqual(expected);
  });

  it('sorts numerically and leaves its input as it was', () => {
    const samples = [100, 9, 20];
    expect(summarize(samples).p50).toBe(20);
    expect(samples).toEqual([100, 9, 20]);
  });

  it('is NaN throughout without samples', () => {
    expect(summarize([])).toEqual({ count: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN });
  });
});

describe('ratePerSecond and ratio', () => {
  it.each([
    { items: 1000, spanMs: 1000, expected: 1000 },
    { items: 100_000, spanMs: 40_000, expected: 2500 },
    { items: 3, spanMs: 1500, expected: 2 },
    { items: 5, spanMs: 0, expected: Number.NaN },
    { items: 5, spanMs: -10, expected: Number.NaN },
  ])('$items items over $spanMs ms: $expected/s', ({ items, spanMs, expected }) => {
    expect(ratePerSecond(items, spanMs)).toBe(expected);
  });

  it.each([
    { measured: 700, baseline: 1000, expected: 0.7 },
    { measured: 3000, baseline: 1500, expected: 2 },
    { measured: 0, baseline: 10, expected: 0 },
    { measured: 10, baseline: 0, expected: Number.NaN },
    { measured: 10, baseline: Number.NaN, expected: Number.NaN },
  ])('$measured / $baseline = $expected', ({ measured, baseline, expected }) => {
    expect(ratio(measured, baseline)).toBe(expected);
  });
});

describe('tailOf (the slowest share of a run)', () => {
  // 100 messages, one every 10 ms: latency 2 ms (legs 1 + 1), but for those sent at 300-320 ms (a stall).
  const run = Array.from({ length: 100 }, (_, i) => {
    const sentAt = i * 10;
    const stalled = sentAt >= 300 && sentAt <= 320;
    return { sentAt, latency: stalled ? 60 - (sentAt - 300) : 2, legs: stalled ? [55 - (sentAt - 300), 5] : [1, 1] };
  });

  it.each([
    // share, -> count, legs (medians), first and last sent
    [0.01, { count: 1, legs: [55, 5], firstSentAt: 300, lastSentAt: 300 }],
    [0.03, { count: 3, legs: [45, 5], firstSentAt: 300, lastSentAt: 320 }],
    [0.05, { count: 5, legs: [35, 5], firstSentAt: 0, lastSentAt: 320 }],
  ])('the slowest %p', (share, expected) => {
    const tail = tailOf(run, share);
    expect(tail?.count).toBe(expected.count);
    expect(tail?.legs).toEqual(expected.legs);
    if (expected.count <= 3) expect([tail?.firstSentAt, tail?.lastSentAt]).toEqual([expected.firstSentAt, expected.lastSentAt]);
  });

  it('takes at least one message, leaves out those never answered, and is null without any', () => {
    expect(tailOf([{ sentAt: 5, latency: 7, legs: [3, 4] }], 0.01)).toEqual({ count: 1, legs: [3, 4], firstSentAt: 5, lastSentAt: 5 });
    expect(
      tailOf(
        [
          { sentAt: 5, latency: Number.NaN, legs: [] },
          { sentAt: 9, latency: 4, legs: [4] },
        ],
        0.5,
      ),
    ).toEqual({ count: 1, legs: [4], firstSentAt: 9, lastSentAt: 9 });
    expect(tailOf([], 0.01)).toBeNull();
  });

  it.each([0, -0.1, 1.5, Number.NaN])('refuses a share of %p', (share) => {
    expect(() => tailOf(run, share)).toThrow(RangeError);
  });
});
