import { cronProblem, nextSlot } from './cron';

describe('the report schedule', () => {
  it('weekly by default: Mondays at 06:00 UTC', () => {
    expect(nextSlot('0 6 * * 1', new Date('2026-11-22T09:00:00Z')).toISOString()).toBe('2026-11-23T06:00:00.000Z'); // a Sunday → the Monday
    expect(nextSlot('0 6 * * 1', new Date('2026-11-23T06:00:00Z')).toISOString()).toBe('2026-11-30T06:00:00.000Z'); // on the slot → the next one
    expect(nextSlot('0 6 * * 1', new Date('2026-11-23T05:59:59Z')).toISOString()).toBe('2026-11-23T06:00:00.000Z');
  });

  it('other schedules', () => {
    expect(nextSlot('30 2 1 * *', new Date('2026-11-22T09:00:00Z')).toISOString()).toBe('2026-12-01T02:30:00.000Z');
    expect(nextSlot('*/15 * * * *', new Date('2026-11-22T09:07:00Z')).toISOString()).toBe('2026-11-22T09:15:00.000Z');
  });

  it.each([
    ['0 6 * * 1', null],
    ['  0 6 * * 1 ', null],
    ['0 6 * *', 'must have 5 fields'],
    ['0 0 6 * * 1', 'must have 5 fields'],
    ['61 6 * * 1', 'is not a cron expression'],
    ['0 6 31 2 *', 'is not a cron expression'],
    ['every monday', 'must have 5 fields'],
  ])('%j: %s', (expression, problem) => {
    const found = cronProblem(expression);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });
});
