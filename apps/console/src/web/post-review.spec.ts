import { RolledBack } from '@hitl/reviewer-api';
import { rollbackWindowText } from './post-review';

const NOW = Date.parse('2026-11-22T10:00:00.000Z');
const clock = (at: Date) => at.toISOString().slice(11, 19);

describe('post-reviews in the console', () => {
  it.each([
    ['not a post-review: nothing to say', null, null],
    ['no window: any time', { window_seconds: null, closes_at: null }, 'It can be rolled back at any time (no rollback window).'],
    [
      'an open window: until when, and how long left',
      { window_seconds: 3600, closes_at: '2026-11-22T10:42:05.000Z' },
      'It can be rolled back until 10:42:05 (42m 05s left).',
    ],
    ['a long window: hours left', { window_seconds: 86_400, closes_at: '2026-11-22T13:05:00.000Z' }, 'It can be rolled back until 13:05:00 (3h 05m left).'],
    [
      'a window closing now: closed',
      { window_seconds: 3600, closes_at: '2026-11-22T10:00:00.000Z' },
      'The rollback window closed at 10:00:00: it can only be confirmed now.',
    ],
    [
      'a closed window: only confirmed',
      { window_seconds: 600, closes_at: '2026-11-22T09:50:00.000Z' },
      'The rollback window closed at 09:50:00: it can only be confirmed now.',
    ],
  ])('%s', (_case, rollback, text) => {
    expect(rollbackWindowText(rollback, NOW, clock)).toBe(text);
  });

  it.each([
    [
      'a rollback answer',
      {
        approval_id: 'a',
        decision_id: 'd',
        status: 'rolled_back',
        rolled_back_by: 'rev-alice',
        reason: 'wrong customer',
        rolled_back_at: '2026-11-22T10:00:00.000Z',
      },
      true,
    ],
    [
      'another status',
      { approval_id: 'a', decision_id: 'd', status: 'reviewed', rolled_back_by: 'x', reason: 'r', rolled_back_at: '2026-11-22T10:00:00.000Z' },
      false,
    ],
    ['no time', { approval_id: 'a', decision_id: 'd', status: 'rolled_back', rolled_back_by: 'x', reason: 'r' }, false],
  ])('reads %s: %s', (_case, body, ok) => {
    expect(RolledBack.safeParse(body).success).toBe(ok);
  });
});
