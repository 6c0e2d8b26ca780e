import { SIZE_TABLE, SIZES, sizeFrom } from './size';

describe('sizeFrom', () => {
  it.each([
    { argv: [], env: {}, expected: 'full' },
    { argv: ['--size', 'tiny'], env: {}, expected: 'tiny' },
    { argv: ['--size=small'], env: {}, expected: 'small' },
    { argv: [], env: { BENCH_SIZE: 'tiny' }, expected: 'tiny' },
    { argv: ['--size', 'full'], env: { BENCH_SIZE: 'tiny' }, expected: 'full' },
  ])('$argv with $env is $expected', ({ argv, env, expected }) => {
    expect(sizeFrom(argv, env)).toBe(expected);
  });

  it.each([
    { argv: ['--size', 'huge'], env: {} },
    { argv: ['--size'], env: { BENCH_SIZE: 'medium' } },
  ])('refuses $argv / $env', ({ argv, env }) => {
    expect(() => sizeFrom(argv, env)).toThrow('--size / BENCH_SIZE must be one of tiny, small, full');
  });
});

describe('SIZE_TABLE', () => {
  it('grows from tiny to full in every dimension', () => {
    for (const key of Object.keys(SIZE_TABLE.full) as (keyof typeof SIZE_TABLE.full)[]) {
      const [tiny, small, full] = SIZES.map((s) => SIZE_TABLE[s][key]);
      const total = (v: number | number[]) => (Array.isArray(v) ? Math.max(...v) : v);
      expect(total(tiny)).toBeLessThanOrEqual(total(small));
      expect(total(small)).toBeLessThanOrEqual(total(full));
    }
  });

  it('runs the rates at the full size the issue asks for', () => {
    expect(SIZE_TABLE.full).toMatchObject({
      routedDecisions: 100_000,
      auditEvents: 100_000,
      pendingApprovals: 100_000,
      deadlineSpreadSeconds: 60,
      labeledOutcomes: 1_000_000,
      queuePending: 100_000,
    });
    expect(SIZE_TABLE.full.offeredRates).toEqual([100, 500, 1000]);
  });
});
