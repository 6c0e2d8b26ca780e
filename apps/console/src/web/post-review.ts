// Post-reviews in the console: actions that already ran, confirmed or rolled back. Pure.
import { ApprovalDetail } from '@hitl/reviewer-api';
import { formatTimeLeft } from './format';

/**
 * Until when the action can be undone, as the decision panel says it; null when the approval
 * is not a post-review. `clock` writes a time of day (the browser's locale on screen).
 */
export function rollbackWindowText(
  rollback: ApprovalDetail['rollback'],
  now: number,
  clock: (at: Date) => string = (at) => at.toLocaleTimeString(),
): string | null {
  if (rollback === null) return null;
  if (rollback.closes_at === null) return 'It can be rolled back at any time (no rollback window).';
  const closes = Date.parse(rollback.closes_at);
  const at = clock(new Date(closes));
  if (closes <= now) return `The rollback window closed at ${at}: it can only be confirmed now.`;
  return `It can be rolled back until ${at} (${formatTimeLeft(Math.floor((closes - now) / 1000))}).`;
}
