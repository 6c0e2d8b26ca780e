import { z } from 'zod';
import { NonEmpty, Uuid } from '../primitives';

export const OUTCOME_LABELED = 'hitl.outcome.labeled.v1';

export const OutcomeLabeledData = z.looseObject({
  decision_id: Uuid,
  correct: z.boolean(),
  source: NonEmpty,
  labeled_by: z.string().nullable(),
  notes: z.string().nullable(),
});
export type OutcomeLabeledData = z.infer<typeof OutcomeLabeledData>;
