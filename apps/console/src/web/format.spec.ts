import { formatAmount, formatTimeLeft, secondsLeftAt, urgencyOf } from './format';

describe('time left and amounts', () => {
  it.each([
    [null, false, 'no deadline'],
    [0, false, '0m 00s left'],
    [65, false, '1m 05s left'],
    [3599, false, '59m 59s left'],
    [3720, false, '1h 02m left'],
    [-190, false, 'overdue 3m 10s'],
    [600, true, '10m 00s left (paused)'],
  ])('%s s (paused %s) reads %s', (seconds, paused, text) => {
    expect(formatTimeLeft(seconds, paused)).toBe(text);
  });

  it.each([
    [{ time_left_seconds: 100, sla_paused: false }, 0, 30_500, 70],
    [{ time_left_seconds: 100, sla_paused: true }, 0, 30_500, 100],
    [{ time_left_seconds: null, sla_paused: false }, 0, 30_500, null],
    [{ time_left_seconds: 10, sla_paused: false }, 1_000, 21_000, -10],
  ])('ticks %j from %d to %d: %s', (item, fetchedAt, now, left) => {
    expect(secondsLeftAt(item, fetchedAt, now)).toBe(left);
  });

  it.each([
    [null, 'none'],
    [-1, 'overdue'],
    [299, 'soon'],
    [300, 'ok'],
  ])('%s s left is %s', (seconds, level) => {
    expect(urgencyOf(seconds)).toBe(level);
  });

  it.each([
    [null, '—'],
    [120, '$120.00'],
    [1234.5, '$1,234.50'],
  ])('%s reads %s', (amount, text) => {
    expect(formatAmount(amount)).toBe(text);
  });
});
