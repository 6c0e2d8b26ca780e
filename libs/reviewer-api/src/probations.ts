// Probations, for reviewers and admins: GET /probations and POST /probations/:id/end (an
// admin's early end, on the owner's word).
import { z } from 'zod';
import { Timestamp, WorkspaceParam } from './values';

export const ProbationState = z.enum(['active', 'graduated', 'ended'], { error: 'must be active, graduated or ended' });
export type ProbationState = z.infer<typeof ProbationState>;

export const ProbationView = z.object({
  id: z.string(),
  workspace: z.string(),
  action: z.string(),
  /** Why it started, in the router's words: new to the manifest, or which settings widened its autonomy. */
  reason: z.string(),
  /** The manifest version that started it. */
  manifest_version: z.string(),
  /** Reviewed decisions it needs, approved unchanged at least at this rate, to graduate. */
  decisions: z.number().int(),
  approved_unchanged_rate: z.number(),
  started_at: Timestamp,
  state: ProbationState,
  /** A graduation's evidence: decisions reviewed, and how many were approved unchanged; null otherwise. */
  reviewed: z.number().int().nullable(),
  approved_unchanged: z.number().int().nullable(),
  /** Who ended it early (an admin, for the owner), and why; null unless ended. */
  ended_by: z.string().nullable(),
  end_reason: z.string().nullable(),
  /** When it graduated or was ended; null while active. */
  ended_at: Timestamp.nullable(),
});
export type ProbationView = z.infer<typeof ProbationView>;

export const ProbationPage = z.object({ items: z.array(ProbationView) });
export type ProbationPage = z.infer<typeof ProbationPage>;

/** GET /probations?workspace=&state=: the caller's workspaces (or one of them), the active probations by default (`all`: every state). */
export const ProbationQuery = z.strictObject({
  workspace: WorkspaceParam.optional(),
  state: z.enum(['active', 'graduated', 'ended', 'all'], { error: 'must be active, graduated, ended or all' }).default('active'),
});
export type ProbationQuery = z.infer<typeof ProbationQuery>;

/** An early end says why (the owner's word, on the record). */
export const EndProbationBody = z.strictObject({
  reason: z
    .string({ error: 'must say, as text, why' })
    .trim()
    .min(3, { error: 'must be at least 3 characters: say why' })
    .max(500, { error: 'must be at most 500 characters' }),
});
export type EndProbationBody = z.infer<typeof EndProbationBody>;
