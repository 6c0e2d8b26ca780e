import { busiestShare, busyMicrosPer, busyShare, machineCpuOf, projectedRate, statCpuSeconds } from './scaling';

describe('statCpuSeconds', () => {
  it.each([
    { stat: '11998 (cat) R 11994 11994 8222 0 -1 4194304 99 0 0 0 250 50 0 0 20 0 1 0 39636', expected: 3 },
    { stat: '42 (node) S 1 42 42 0 -1 4194560 5000 0 3 0 12345 655 7 1 20 0 11 0 900', expected: 130 },
    // A command with spaces and a closing parenthesis of its own.
    { stat: '7 (a) b) S 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 1', expected: 0.03 },
  ])('$stat', ({ stat, expected }) => {
    expect(statCpuSeconds(stat)).toBeCloseTo(expected, 6);
  });

  it('refuses what is not a stat line', () => {
    expect(() => statCpuSeconds('nonsense')).toThrow(/stat line/);
  });
});

describe('machineCpuOf and busyShare', () => {
  it.each([
    { line: 'cpu  100 0 50 800 50 0 0 0 0 0', busy: 1.5, total: 10 },
    { line: 'cpu  20548 0 6553 50509 490 0 149 48 0 0', busy: 272.98, total: 782.97 },
  ])('$line', ({ line, busy, total }) => {
    const cpu = machineCpuOf(`${line}\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1`);
    expect(cpu.busy).toBeCloseTo(busy, 6);
    expect(cpu.total).toBeCloseTo(total, 6);
  });

  it.each([
    { before: { busy: 10, total: 40 }, after: { busy: 25, total: 60 }, expected: 0.75 },
    { before: { busy: 10, total: 40 }, after: { busy: 10, total: 60 }, expected: 0 },
    { before: { busy: 10, total: 40 }, after: { busy: 30, total: 60 }, expected: 1 },
  ])('busy share from $before to $after is $expected', ({ before, after, expected }) => {
    expect(busyShare(before, after)).toBeCloseTo(expected, 6);
  });

  it('is NaN when no time passed', () => {
    expect(busyShare({ busy: 1, total: 2 }, { busy: 1, total: 2 })).toBeNaN();
  });
});

describe('busyMicrosPer', () => {
  it.each([
    // busy and total seconds before and after, resting share, messages -> µs per message
    [{ busy: 10, total: 100 }, { busy: 11, total: 102 }, 0, 1_000, 1_000],
    [{ busy: 10, total: 100 }, { busy: 11, total: 102 }, 0.1, 1_000, 800],
    [{ busy: 10, total: 100 }, { busy: 10.1, total: 102 }, 0.1, 1_000, 0],
    [{ busy: 0, total: 0 }, { busy: 2, total: 2 }, 0.05, 10_000, 190],
  ])('%j to %j, resting %d, %d messages: %d µs each', (before, after, resting, messages, expected) => {
    expect(busyMicrosPer(before, after, resting, messages)).toBeCloseTo(expected, 6);
  });
});

describe('busiestShare and projectedRate', () => {
  it.each([
    { partitions: 3, replicas: 1, busiest: 3, rate: 1000 },
    { partitions: 3, replicas: 2, busiest: 2, rate: 1500 },
    { partitions: 3, replicas: 3, busiest: 1, rate: 3000 },
    { partitions: 3, replicas: 4, busiest: 1, rate: 3000 },
    { partitions: 6, replicas: 2, busiest: 3, rate: 2000 },
    { partitions: 6, replicas: 4, busiest: 2, rate: 3000 },
    { partitions: 6, replicas: 6, busiest: 1, rate: 6000 },
    { partitions: 6, replicas: 8, busiest: 1, rate: 6000 },
    { partitions: 12, replicas: 8, busiest: 2, rate: 6000 },
  ])('$replicas replicas on $partitions partitions at 1000/s each: busiest holds $busiest, $rate/s', ({ partitions, replicas, busiest, rate }) => {
    expect(busiestShare(partitions, replicas)).toBe(busiest);
    expect(projectedRate(1000, partitions, replicas)).toBe(rate);
  });

  it('is capped by a shared ceiling', () => {
    expect(projectedRate(1000, 6, 6, 4500)).toBe(4500);
    expect(projectedRate(1000, 6, 2, 4500)).toBe(2000);
  });

  it.each([
    [0, 1],
    [1, 0],
    [Number.NaN, 2],
  ])('refuses %p partitions for %p replicas', (partitions, replicas) => {
    expect(() => busiestShare(partitions, replicas)).toThrow(RangeError);
  });
});
