// The repair loop's attempts, side by side: one column per attempt, one row per parameter,
// the cells the schema refused marked, and each attempt's errors under it. Pure.
import { RepairAttemptLine } from '@hitl/reviewer-api';

export interface AttemptsTable {
  /** One per attempt, oldest first; the one to decide says so. */
  headers: string[];
  rows: { field: string; cells: { text: string; failing: boolean }[] }[];
  /** Per attempt: what failed, as `field: message (rule)`. */
  errors: string[][];
}

const MISSING = '(missing)';

/** Every attempt's parameters as one table (top-level fields in first-seen order). */
export function attemptsTable(attempts: readonly RepairAttemptLine[]): AttemptsTable {
  const fields: string[] = [];
  for (const attempt of attempts) {
    for (const key of Object.keys(attempt.parameters)) if (!fields.includes(key)) fields.push(key);
    // A missing field is named by its error: it gets a row too.
    for (const error of attempt.errors) {
      const key = error.field.split('.')[1];
      if (key !== undefined && !fields.includes(key)) fields.push(key);
    }
  }
  const fails = (attempt: RepairAttemptLine, key: string) =>
    attempt.errors.some((e) => e.field === `parameters.${key}` || e.field.startsWith(`parameters.${key}.`));
  return {
    headers: attempts.map((a) => `Attempt ${a.attempt}${a.current ? ' (to decide)' : ''}`),
    rows: fields.map((key) => ({
      field: key,
      cells: attempts.map((a) => ({
        text: Object.prototype.hasOwnProperty.call(a.parameters, key) ? JSON.stringify(a.parameters[key]) : MISSING,
        failing: fails(a, key),
      })),
    })),
    errors: attempts.map((a) => a.errors.map((e) => `${e.field}: ${e.message} (${e.rule})`)),
  };
}
