// "Get a human": handoffs as people see them. GET /handoffs (those waiting for the caller's
// roles, or taken by them), GET /handoffs/:id (the conversation so far), POST
// /handoffs/:id/take, POST /handoffs/:id/return (hand back with notes, or close).
import { z } from 'zod';
import { Timestamp, WorkspaceParam } from './values';

export const HandoffState = z.enum(['open', 'taken', 'handed_back', 'closed']);
export type HandoffState = z.infer<typeof HandoffState>;

export const HandoffTurnView = z.object({ from: z.enum(['user', 'agent', 'person']), text: z.string(), at: Timestamp.optional() });

export const HandoffView = z.object({
  id: z.string(),
  workspace: z.string(),
  agent_id: z.string(),
  session_id: z.string(),
  /** The person the session serves (never the one who takes it over); null: not said. */
  on_behalf_of: z.string().nullable(),
  reason: z.string(),
  /** The conversation so far, oldest turn first. */
  transcript: z.array(HandoffTurnView),
  requested_at: Timestamp,
  state: HandoffState,
  /** The role it waits for now, the path it moves up, and until when the role has to take it over (null once taken). */
  reviewer_role: z.string(),
  escalation_path: z.array(z.string()),
  tier: z.number().int(),
  sla_deadline: Timestamp.nullable(),
  taken_by: z.string().nullable(),
  taken_at: Timestamp.nullable(),
  returned_by: z.string().nullable(),
  returned_at: Timestamp.nullable(),
  notes: z.string().nullable(),
  reply: z.string().nullable(),
  /** Whether the caller may take it over now (their role, their workspace, not the end user). */
  can_take: z.boolean(),
});
export type HandoffView = z.infer<typeof HandoffView>;

export const HandoffPage = z.object({ items: z.array(HandoffView) });
export type HandoffPage = z.infer<typeof HandoffPage>;

/** GET /handoffs?state=: `waiting` (open for the caller's roles, and those they took over and still hold) by default; `all` includes returned ones. */
export const HandoffQuery = z.strictObject({
  state: z.enum(['waiting', 'all'], { error: 'must be waiting or all' }).default('waiting'),
  workspace: WorkspaceParam.optional(),
});
export type HandoffQuery = z.infer<typeof HandoffQuery>;

/** Returning a taken-over session: hand it back (the agent resumes with the notes) or close it. */
export const ReturnHandoffBody = z.strictObject({
  resolution: z.enum(['handed_back', 'closed'], { error: 'must be handed_back or closed' }),
  notes: z
    .string({ error: 'must say, as text, what was done and what the agent should do next' })
    .trim()
    .min(3, { error: 'must be at least 3 characters: tell the agent what was done' })
    .max(20_000, { error: 'must be at most 20000 characters' }),
  reply: z
    .string({ error: 'must be text: what you answered the end user' })
    .trim()
    .max(20_000, { error: 'must be at most 20000 characters' })
    .nullable()
    .optional()
    .transform((r) => (r ? r : null)),
});
export type ReturnHandoffBody = z.infer<typeof ReturnHandoffBody>;
