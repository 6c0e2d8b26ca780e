// The report schedule as a five-field cron expression (minute hour day-of-month month
// day-of-week), in UTC. Pure: cron-parser does the calendar.
import { CronExpressionParser } from 'cron-parser';

/** Why an expression is refused, or null when it is a usable schedule. */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 6 * * 1"; got ${fields.length}`;
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' }).next();
    return null;
  } catch (error) {
    return `is not a cron expression: ${(error as Error).message}`;
  }
}

/** The first slot strictly after `after`. */
export function nextSlot(expression: string, after: Date): Date {
  return CronExpressionParser.parse(expression.trim(), { currentDate: after, tz: 'UTC' }).next().toDate();
}
