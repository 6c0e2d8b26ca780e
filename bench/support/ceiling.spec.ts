import { contractCeiling } from './ceiling';

describe('contractCeiling', () => {
  it.each([
    // cores, baseline µs, verify µs, sign µs -> floor µs, decisions/s
    [2, 125, 55, 25, 205, 9756.1],
    [1, 100, 0.5, 0.5, 101, 9901],
    [4, 250, 50, 50, 350, 11428.6],
  ])('%i cores, baseline %d µs, verify %d, sign %d: floor %d µs, %d decisions/s', (cores, durable, verify, sign, floor, rate) => {
    const ceiling = contractCeiling({ cores, baselineMachineMicros: durable, verifyMicros: verify, signMicros: sign });
    expect(ceiling.floorMicros).toBeCloseTo(floor, 6);
    expect(ceiling.rate).toBeCloseTo(rate, 0);
  });

  it.each([
    ['cores', { cores: 0 }],
    ['baselineMachineMicros', { baselineMachineMicros: Number.NaN }],
    ['verifyMicros', { verifyMicros: -1 }],
    ['signMicros', { signMicros: Infinity }],
  ])('refuses a %s that is not a positive number', (name, wrong) => {
    expect(() => contractCeiling({ cores: 2, baselineMachineMicros: 100, verifyMicros: 50, signMicros: 25, ...wrong })).toThrow(name);
  });
});
