import { z } from 'zod';
import { cronProblem } from './cron';

export const scheduleConfig = z.object({
  /** When scheduled reports are made: five-field cron, UTC. */
  CALIBRATION_CRON: z
    .string()
    .superRefine((expression, ctx) => {
      const problem = cronProblem(expression);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((expression) => expression.trim().split(/\s+/).join(' '))
    .default('0 6 * * 1'),
  /** How often a replica looks for a due slot; 0: this replica never runs the schedule. */
  CALIBRATION_SCHEDULE_POLL_MS: z
    .string()
    .trim()
    .regex(/^\d+$/, { error: 'must be 0 (off) or a whole number of milliseconds from 100 to 3600000' })
    .transform(Number)
    .refine((n) => n === 0 || (n >= 100 && n <= 3_600_000), { error: 'must be 0 (off) or a whole number of milliseconds from 100 to 3600000' })
    .default(60_000),
});

export type ScheduleConfig = z.output<typeof scheduleConfig>;
