import { APPROVED_UNCHANGED_TARGET, LOWERING_FROM, REVIEW_QUALITY_POLICY } from '@hitl/calibration';
import { z } from 'zod';

const PROPORTION = /^(0(\.\d+)?|1(\.0+)?)$/;

/** What a report judges against and over how long. */
export const calibrationConfig = z.object({
  /** The accuracy an action must reach: thresholds are suggested and promotions judged against it. */
  CALIBRATION_TARGET_ACCURACY: z
    .string()
    .trim()
    .regex(PROPORTION, { error: 'must be a number above 0 and at most 1, e.g. 0.95' })
    .transform(Number)
    .refine((x) => x > 0, { error: 'must be a number above 0 and at most 1, e.g. 0.95' })
    .default(0.95),
  /** Lowering a threshold: the share of a band's reviewed decisions approved unchanged it needs (seed 001: 99%). */
  CALIBRATION_APPROVED_UNCHANGED_TARGET: z
    .string()
    .trim()
    .regex(PROPORTION, { error: 'must be a number above 0 and at most 1, e.g. 0.99' })
    .transform(Number)
    .refine((x) => x > 0, { error: 'must be a number above 0 and at most 1, e.g. 0.99' })
    .default(APPROVED_UNCHANGED_TARGET),
  /** Lowering a threshold: the reviewed decisions each band needs before it is judged. */
  CALIBRATION_LOWERING_MIN_REVIEWS: z
    .string()
    .trim()
    .regex(/^\d{1,7}$/, { error: 'must be a whole number from 1, e.g. 400' })
    .transform(Number)
    .refine((n) => n >= 1, { error: 'must be a whole number from 1, e.g. 400' })
    .default(LOWERING_FROM),
  /** Review quality: the decisions a reviewer needs in the window before they may be flagged a rubber stamp. */
  CALIBRATION_REVIEW_QUALITY_MIN_DECISIONS: z
    .string()
    .trim()
    .regex(/^\d{1,7}$/, { error: 'must be a whole number from 1, e.g. 20' })
    .transform(Number)
    .refine((n) => n >= 1, { error: 'must be a whole number from 1, e.g. 20' })
    .default(REVIEW_QUALITY_POLICY.min_decisions),
  /** The lookback window of scheduled reports (and of requested ones that name none), in days. */
  CALIBRATION_WINDOW_DAYS: z
    .string()
    .trim()
    .regex(/^\d{1,3}$/, { error: 'must be a whole number of days from 1 to 365' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 365, { error: 'must be a whole number of days from 1 to 365' })
    .default(30),
});

export type CalibrationConfig = z.output<typeof calibrationConfig>;
