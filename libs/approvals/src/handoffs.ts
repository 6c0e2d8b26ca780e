// "Get a human" (seeds 000 and 002), as the escalation service keeps it: an agent's end user
// asked for a person; the handoff waits for the role the manifest names (its `handoff`
// section), escalates along the handoff path when nobody takes it over within the SLA, is
// taken over by one person, and is returned to the agent (handed back with the person's
// notes, or closed). Each step is a command on the handoff's state giving its next state and
// the event that records it. Pure: `now` is an input.
import {
  CloudEvent,
  HANDOFF_ESCALATED,
  HANDOFF_OPENED,
  HANDOFF_RETURNED,
  HANDOFF_TAKEN,
  HandoffRequestedData,
  HandoffResolution,
  TranscriptTurn,
  newEvent,
} from '@hitl/contracts';
import { addMinutes, worksIn } from './approval';
import { Actor, isRequester, selfGranted } from './authority';
import { ESCALATION_SOURCE } from './review';

export type HandoffState = 'open' | 'taken' | HandoffResolution;

export interface Handoff {
  id: string;
  workspace: string;
  agent_id: string;
  session_id: string;
  /** The agent replica that suspended the session (null: any). */
  replica_id: string | null;
  /** The person the session serves: never the one who takes it over. */
  on_behalf_of: string | null;
  reason: string;
  transcript: TranscriptTurn[];
  checkpoint: Record<string, unknown> | null;
  requested_at: string;
  state: HandoffState;
  /** The roles asked in turn, the first one first; `tier` indexes it. */
  escalation_path: string[];
  tier: number;
  /** How long each tier has to take it over, in minutes. */
  sla_minutes: number;
  /** When the tier now asked must have taken it over; null once taken or returned. */
  sla_deadline: string | null;
  taken_by: string | null;
  taken_at: string | null;
  returned_by: string | null;
  returned_at: string | null;
  notes: string | null;
  reply: string | null;
}

/** Where a workspace's handoffs go: the manifest's `handoff` section (or its defaults). */
export interface HandoffPolicy {
  escalation_path: string[];
  sla_minutes: number;
}

/** Why a person may not do what they asked on a handoff: an HTTP status, a stable code, plain words. */
export interface HandoffRefusal {
  status: 403 | 409;
  code: 'wrong_workspace' | 'wrong_role' | 'requester' | 'self_granted' | 'already_taken' | 'not_taken' | 'not_yours' | 'already_returned';
  message: string;
}

export type HandoffCommand = { kind: 'take' } | { kind: 'return'; resolution: HandoffResolution; notes: string; reply: string | null };

export type HandoffEvent =
  CloudEvent<typeof HANDOFF_OPENED> | CloudEvent<typeof HANDOFF_ESCALATED> | CloudEvent<typeof HANDOFF_TAKEN> | CloudEvent<typeof HANDOFF_RETURNED>;

export type HandoffOutcome = { ok: true; handoff: Handoff; event: HandoffEvent } | { ok: false; refusal: HandoffRefusal };

const refusal = (status: HandoffRefusal['status'], code: HandoffRefusal['code'], message: string): HandoffRefusal => ({ status, code, message });

const ref = (h: Handoff) => ({ handoff_id: h.id, agent_id: h.agent_id, session_id: h.session_id });

function eventOf<T extends HandoffEvent['type']>(
  type: T,
  handoff: Handoff,
  data: Omit<HandoffEvent['data'], 'handoff_id' | 'agent_id' | 'session_id'>,
  now: Date,
) {
  return newEvent(type, { ...ref(handoff), ...data } as never, { source: ESCALATION_SOURCE, workspaceid: handoff.workspace, time: now }) as CloudEvent<T>;
}

/** A request the agent signed, opened at the first tier of the workspace's handoff path. */
export function openHandoff(
  request: HandoffRequestedData,
  workspace: string,
  policy: HandoffPolicy,
  now: Date,
): { handoff: Handoff; event: CloudEvent<typeof HANDOFF_OPENED> } {
  const deadline = addMinutes(now, policy.sla_minutes).toISOString();
  const handoff: Handoff = {
    id: request.handoff_id,
    workspace,
    agent_id: request.agent_id,
    session_id: request.session_id,
    replica_id: request.replica_id ?? null,
    on_behalf_of: request.on_behalf_of ?? null,
    reason: request.reason,
    transcript: request.transcript,
    checkpoint: request.checkpoint ?? null,
    requested_at: now.toISOString(),
    state: 'open',
    escalation_path: [...policy.escalation_path],
    tier: 0,
    sla_minutes: policy.sla_minutes,
    sla_deadline: deadline,
    taken_by: null,
    taken_at: null,
    returned_by: null,
    returned_at: null,
    notes: null,
    reply: null,
  };
  const event = eventOf(HANDOFF_OPENED, handoff, { tier: 0, reviewer_role: handoff.escalation_path[0], sla_deadline: deadline }, now);
  return { handoff, event };
}

/**
 * May `person` take it over? A reviewer of its workspace holding a role of its path (a role
 * further up may take what waits lower, and one lower what moved up: a person now beats a
 * person later), never the end user the session serves, nor anyone on authority they gave
 * themselves; and only while it waits.
 */
export function refuseTake(person: Actor, handoff: Handoff): HandoffRefusal | null {
  if (handoff.state === 'taken') return refusal(409, 'already_taken', `${handoff.taken_by} took this handoff over at ${handoff.taken_at}`);
  if (handoff.state !== 'open') return refusal(409, 'already_returned', `the handoff was ${handoff.state.replace('_', ' ')} by ${handoff.returned_by}`);
  if (!worksIn(person, handoff.workspace)) return refusal(403, 'wrong_workspace', `${person.id} does not work in workspace ${handoff.workspace}`);
  if (!person.roles.some((role) => handoff.escalation_path.includes(role)))
    return refusal(
      403,
      'wrong_role',
      `taking over a handoff needs one of the roles ${handoff.escalation_path.join(', ')}; ${person.id} holds ${person.roles.join(', ') || 'none'}`,
    );
  if (isRequester(person, handoff.on_behalf_of)) return refusal(403, 'requester', `${person.id} is the person the session serves: someone else takes it over`);
  if (selfGranted(person)) return refusal(403, 'self_granted', `${person.id} granted themselves the authority they act on`);
  return null;
}

/** Only the person who took it over returns it, once. */
export function refuseReturn(person: Actor, handoff: Handoff): HandoffRefusal | null {
  if (handoff.state === 'open') return refusal(409, 'not_taken', 'nobody took this handoff over yet: take it over first');
  if (handoff.state !== 'taken') return refusal(409, 'already_returned', `the handoff was ${handoff.state.replace('_', ' ')} by ${handoff.returned_by}`);
  if (handoff.taken_by !== person.id) return refusal(403, 'not_yours', `${handoff.taken_by} took this handoff over: only they return it`);
  return null;
}

/** A person's step on a handoff: its next state and the event that records it, or why not. */
export function decideHandoff(person: Actor, handoff: Handoff, command: HandoffCommand, now: Date): HandoffOutcome {
  if (command.kind === 'take') {
    const refused = refuseTake(person, handoff);
    if (refused) return { ok: false, refusal: refused };
    const taken: Handoff = { ...handoff, state: 'taken', taken_by: person.id, taken_at: now.toISOString(), sla_deadline: null };
    return { ok: true, handoff: taken, event: eventOf(HANDOFF_TAKEN, taken, { taken_by: person.id }, now) };
  }
  const refused = refuseReturn(person, handoff);
  if (refused) return { ok: false, refusal: refused };
  const returned: Handoff = {
    ...handoff,
    state: command.resolution,
    returned_by: person.id,
    returned_at: now.toISOString(),
    notes: command.notes,
    reply: command.reply,
  };
  const event = eventOf(
    HANDOFF_RETURNED,
    returned,
    {
      replica_id: returned.replica_id,
      resolution: command.resolution,
      notes: command.notes,
      reply: command.reply,
      returned_by: person.id,
      checkpoint: returned.checkpoint,
    },
    now,
  );
  return { ok: true, handoff: returned, event };
}

/**
 * The SLA of a handoff nobody took over: past its deadline it moves to the next role of the
 * path; at the last one it is offered there again (a new deadline, on the record), so a
 * waiting end user is never forgotten.
 */
export function onHandoffDue(
  handoff: Handoff,
  now: Date,
): { kind: 'not_due' } | { kind: 'escalate'; handoff: Handoff; event: CloudEvent<typeof HANDOFF_ESCALATED> } {
  if (handoff.state !== 'open' || handoff.sla_deadline === null || new Date(handoff.sla_deadline).getTime() > now.getTime()) return { kind: 'not_due' };
  const last = handoff.escalation_path.length - 1;
  const tier = Math.min(handoff.tier + 1, last);
  const fromRole = handoff.escalation_path[handoff.tier];
  const deadline = addMinutes(now, handoff.sla_minutes).toISOString();
  const escalated: Handoff = { ...handoff, tier, sla_deadline: deadline };
  const reason =
    tier > handoff.tier
      ? `nobody took it over within the SLA (${handoff.sla_minutes} min)`
      : `nobody took it over within the SLA (${handoff.sla_minutes} min) at the last role of the path: offered again`;
  const event = eventOf(
    HANDOFF_ESCALATED,
    escalated,
    { tier, reviewer_role: escalated.escalation_path[tier], sla_deadline: deadline, from_role: fromRole, reason },
    now,
  );
  return { kind: 'escalate', handoff: escalated, event };
}

/** The handoff in plain words, for logs and lists. */
export function describeHandoff(h: Handoff): string {
  const start = `handoff of session ${h.session_id} (agent ${h.agent_id}, ${h.workspace})`;
  if (h.state === 'open') return `${start}, waiting for ${h.escalation_path[h.tier]} until ${h.sla_deadline}`;
  if (h.state === 'taken') return `${start}, taken over by ${h.taken_by}`;
  return `${start}, ${h.state.replace('_', ' ')} by ${h.returned_by}`;
}
