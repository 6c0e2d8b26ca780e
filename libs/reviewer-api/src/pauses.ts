// The kill switch, for admins: POST /pauses, GET /pauses and POST /pauses/:id/resume; and
// the pauses a reviewer sees on the approvals they cover.
import { z } from 'zod';
import { Timestamp } from './values';

/** What a pause does to a proposal it covers: a person reviews it, or it is blocked (repeats the contract's PauseEffect). */
export const PauseEffect = z.enum(['review', 'block'], { error: 'must be review or block' });
export type PauseEffect = z.infer<typeof PauseEffect>;

const reason = z
  .string({ error: 'must say, as text, why' })
  .trim()
  .min(3, { error: 'must be at least 3 characters: say why' })
  .max(500, { error: 'must be at most 500 characters' });
const name = (what: string) =>
  z
    .string({ error: `must be the ${what}, as text` })
    .trim()
    .min(1, { error: 'must not be blank' })
    .max(200, { error: 'must be at most 200 characters' });

/** A pause: an agent, an action, an agent's action, or (neither named) the whole workspace. */
export const PauseBody = z.strictObject({
  workspace: name('workspace'),
  /** Proposals of this agent only; absent: any agent. */
  agent_id: name('agent id').optional(),
  /** Proposals of this action only; absent: any action. */
  action: name('action name').optional(),
  /** `review` (default): every proposal it covers goes to a person; `block`: each is blocked. */
  effect: PauseEffect.default('review'),
  reason,
});
export type PauseBody = z.infer<typeof PauseBody>;

/** Resumes are explicit and say why. */
export const ResumeBody = z.strictObject({ reason });
export type ResumeBody = z.infer<typeof ResumeBody>;

export const PauseView = z.object({
  id: z.string(),
  workspace: z.string(),
  /** null: any agent. */
  agent_id: z.string().nullable(),
  /** null: any action; both null: the whole workspace. */
  action: z.string().nullable(),
  effect: PauseEffect,
  reason: z.string(),
  paused_by: z.string(),
  paused_at: Timestamp,
  /** Who resumed it, when and why; null while it is in force. */
  resumed_by: z.string().nullable(),
  resumed_at: Timestamp.nullable(),
  resume_reason: z.string().nullable(),
});
export type PauseView = z.infer<typeof PauseView>;

export const PausePage = z.object({ items: z.array(PauseView) });
export type PausePage = z.infer<typeof PausePage>;

/** GET /pauses?workspace=&active=: the caller's workspaces (or one of them), pauses in force by default (`active=false`: resumed ones). */
export const PauseQuery = z.strictObject({
  workspace: name('workspace').optional(),
  active: z.enum(['true', 'false'], { error: 'must be true or false' }).default('true'),
});
export type PauseQuery = z.infer<typeof PauseQuery>;

/** A pause in force that covers an approval, as its reviewer is shown it. */
export const PauseLine = PauseView.pick({ id: true, agent_id: true, action: true, effect: true, reason: true, paused_by: true, paused_at: true });
export type PauseLine = z.infer<typeof PauseLine>;
