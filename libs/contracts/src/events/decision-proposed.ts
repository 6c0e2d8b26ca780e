import { z } from 'zod';
import { NonEmpty, Parameters, Urgency, Uuid } from '../primitives';

export const DECISION_PROPOSED = 'hitl.decision.proposed.v1';

export const CompletedStep = z.looseObject({ action: NonEmpty, outcome: z.string() });

export const DecisionContext = z.looseObject({
  situation: z.string().optional(),
  attempted: z.array(z.string()).optional(),
  options: z.array(z.looseObject({ key: NonEmpty, label: z.string() })).optional(),
  recommendation: z.string().optional(),
});

export const DecisionProposedData = z.looseObject({
  decision_id: Uuid,
  agent: z.looseObject({ id: NonEmpty, model: z.string().optional(), prompt_version: z.string().optional() }),
  on_behalf_of: z.string().optional(),
  session_id: z.string().optional(),
  workflow: z
    .looseObject({
      id: NonEmpty,
      step_index: z.number().int().min(0),
      completed_steps: z.array(CompletedStep).optional(),
    })
    .optional(),
  action: NonEmpty,
  parameters: Parameters,
  confidence: z.number().min(0).max(1),
  confidence_basis: z.string(),
  uncertainty_factors: z.array(z.string()),
  recommended_review: z.boolean(),
  summary: NonEmpty,
  context: DecisionContext.optional(),
  urgency: Urgency.optional(),
  /**
   * The agent repairs parameters that fail the action's schema: the router sends them back
   * (`blocked` with `parameter_errors`) instead of to a person, up to the manifest's
   * `repair.max_attempts`. Absent or false: a person reviews them with their errors.
   */
  repairable: z.boolean().optional(),
  /**
   * This decision repairs an earlier one: the `decision_id` of the previous attempt, which
   * the router sent back with `parameter_errors`. Same agent, workspace and action; one
   * repair per attempt.
   */
  repair_of: Uuid.optional(),
});
export type DecisionProposedData = z.infer<typeof DecisionProposedData>;
