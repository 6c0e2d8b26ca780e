import { z } from 'zod';
import { NonEmpty, Timestamp, Uuid } from '../primitives';

// "Get a human" (seeds 000 and 002): the person an agent serves asks for a person at any
// point. The agent asks on handoff.requested (signed with its own key) with the conversation
// so far and suspends the session; the escalation service opens a handoff item for the role
// the workspace's manifest names (`handoff`), keeps its SLA and escalates it like an approval,
// and publishes every step on handoff.updated (signed by the escalation service): opened,
// escalated, taken over by a person, and returned to the agent (handed back with the
// person's notes, or closed). Keyed and subjected by the handoff.

export const HANDOFF_REQUESTED = 'hitl.handoff.requested.v1';
export const HANDOFF_OPENED = 'hitl.handoff.opened.v1';
export const HANDOFF_ESCALATED = 'hitl.handoff.escalated.v1';
export const HANDOFF_TAKEN = 'hitl.handoff.taken.v1';
export const HANDOFF_RETURNED = 'hitl.handoff.returned.v1';

/** One turn of the conversation so far: who spoke (the end user, the agent, a person) and what. */
export const TranscriptTurn = z.looseObject({
  from: z.enum(['user', 'agent', 'person']),
  text: z.string().max(20_000),
  at: Timestamp.optional(),
});
export type TranscriptTurn = z.infer<typeof TranscriptTurn>;

/** What the agent resumes from: its own state, returned to it unchanged (visible to the service and the record, so no secrets). */
export const HandoffCheckpoint = z.record(z.string(), z.unknown());

const HandoffRef = {
  /** The handoff; subject and key of its events. */
  handoff_id: Uuid,
  /** The agent whose session it is, and the session. */
  agent_id: NonEmpty,
  session_id: NonEmpty,
};

export const HandoffRequestedData = z.looseObject({
  ...HandoffRef,
  /** Why a person is wanted, in the end user's or the agent's words. */
  reason: NonEmpty.max(2_000),
  transcript: z.array(TranscriptTurn).max(500),
  /** The person the session serves: never the one who takes it over. */
  on_behalf_of: NonEmpty.nullable().optional(),
  /** The agent replica that suspended the session: the one that resumes it. */
  replica_id: NonEmpty.nullable().optional(),
  checkpoint: HandoffCheckpoint.nullable().optional(),
});
export type HandoffRequestedData = z.infer<typeof HandoffRequestedData>;

/** Where the handoff waits: the tier of the manifest's handoff path, its role, the SLA. */
const Placement = {
  tier: z.number().int().min(0),
  reviewer_role: NonEmpty,
  sla_deadline: Timestamp,
};

export const HandoffOpenedData = z.looseObject({ ...HandoffRef, ...Placement });
export type HandoffOpenedData = z.infer<typeof HandoffOpenedData>;

export const HandoffEscalatedData = z.looseObject({ ...HandoffRef, ...Placement, from_role: NonEmpty, reason: z.string() });
export type HandoffEscalatedData = z.infer<typeof HandoffEscalatedData>;

export const HandoffTakenData = z.looseObject({ ...HandoffRef, taken_by: NonEmpty });
export type HandoffTakenData = z.infer<typeof HandoffTakenData>;

/** `handed_back`: the agent resumes the session with the notes; `closed`: the person finished it, the agent does not resume it. */
export const HandoffResolution = z.enum(['handed_back', 'closed']);
export type HandoffResolution = z.infer<typeof HandoffResolution>;

export const HandoffReturnedData = z.looseObject({
  ...HandoffRef,
  replica_id: NonEmpty.nullable(),
  resolution: HandoffResolution,
  /** What the person tells the agent: what was done, what to do next. */
  notes: NonEmpty.max(20_000),
  /** What the person answered the end user, when the agent should pass it on; null: nothing. */
  reply: z.string().max(20_000).nullable(),
  returned_by: NonEmpty,
  /** The checkpoint the agent sent, returned unchanged. */
  checkpoint: HandoffCheckpoint.nullable(),
});
export type HandoffReturnedData = z.infer<typeof HandoffReturnedData>;
