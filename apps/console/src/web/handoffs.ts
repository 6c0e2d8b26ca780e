// "Get a human" in the console: handoffs in words, their order and deadlines, and the
// return form checked before it is sent. Pure.
import { HandoffView, ReturnHandoffBody } from '@hitl/reviewer-api';
import { formatTimeLeft, urgencyOf } from './format';

type Turn = HandoffView['transcript'][number];
export type HandoffResolution = 'handed_back' | 'closed';

/** The handoffs view's page paths: `/handoffs`, and `/handoffs/<id>` with one open. */
export const handoffPath = (id: string | null): string => (id ? `/handoffs/${encodeURIComponent(id)}` : '/handoffs');

/** The handoff a page path opens, or null. */
export function handoffIdOf(path: string): string | null {
  return /^\/handoffs\/([0-9a-f-]{36})\/?$/i.exec(path)?.[1]?.toLowerCase() ?? null;
}

/** Oldest request first (the end user who waited longest), then by id: the same order on every load. */
export function oldestFirst<T extends Pick<HandoffView, 'id' | 'requested_at'>>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => Date.parse(a.requested_at) - Date.parse(b.requested_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Who said a turn of the conversation, as the person reading it says it. */
export function speakerOf(from: Turn['from']): string {
  return from === 'user' ? 'End user' : from === 'agent' ? 'Agent' : 'Person';
}

/** Where it stands: `Waiting for support_agent`, `Taken over by you`, `Handed back to the agent by rev-alice`, ... */
export function stateWords(h: Pick<HandoffView, 'state' | 'reviewer_role' | 'tier' | 'taken_by' | 'returned_by'>, viewerId: string): string {
  switch (h.state) {
    case 'open':
      return h.tier > 0 ? `Waiting for ${h.reviewer_role} (moved up: nobody took it over in time)` : `Waiting for ${h.reviewer_role}`;
    case 'taken':
      return h.taken_by === viewerId ? 'Taken over by you' : `Taken over by ${h.taken_by}`;
    case 'handed_back':
      return `Handed back to the agent by ${h.returned_by === viewerId ? 'you' : h.returned_by}`;
    case 'closed':
      return `Closed by ${h.returned_by === viewerId ? 'you' : h.returned_by}`;
  }
}

/** Seconds until the role now asked must have taken it over; null once taken or returned. */
export function slaSecondsLeft(h: Pick<HandoffView, 'state' | 'sla_deadline'>, now: number): number | null {
  if (h.state !== 'open' || h.sla_deadline === null) return null;
  return Math.floor((Date.parse(h.sla_deadline) - now) / 1000);
}

/** The time left on the SLA as the list shows it, and how pressing it is (the colour). */
export function slaText(h: Pick<HandoffView, 'state' | 'sla_deadline'>, now: number): { text: string; urgency: 'overdue' | 'soon' | 'ok' | 'none' } {
  const seconds = slaSecondsLeft(h, now);
  if (seconds === null) return { text: h.state === 'taken' ? 'being handled' : 'returned', urgency: 'none' };
  return { text: formatTimeLeft(seconds), urgency: urgencyOf(seconds) };
}

/** Whose session: `refund-bot, session s-42, for cust-7`. */
export function sessionWords(h: Pick<HandoffView, 'agent_id' | 'session_id' | 'on_behalf_of'>): string {
  return `${h.agent_id}, session ${h.session_id}${h.on_behalf_of ? `, for ${h.on_behalf_of}` : ''}`;
}

/** Whether the viewer holds it now: only then is it theirs to hand back or close. */
export function heldBy(h: Pick<HandoffView, 'state' | 'taken_by'>, viewerId: string): boolean {
  return h.state === 'taken' && h.taken_by === viewerId;
}

export interface ReturnForm {
  notes: string;
  reply: string;
}

export interface ReturnRequest {
  resolution: HandoffResolution;
  notes: string;
  reply: string | null;
}

/** The return form as POST /handoffs/:id/return takes it, or what is wrong with it (each problem a sentence). */
export function validateReturn(form: ReturnForm, resolution: HandoffResolution): { ok: true; body: ReturnRequest } | { ok: false; problems: string[] } {
  const notes = form.notes.trim();
  const reply = form.reply.trim();
  if (!notes) return { ok: false, problems: ['Write notes: what was done, and what the agent should do next.'] };
  if (notes.length < 3) return { ok: false, problems: ['Write at least 3 characters of notes.'] };
  const body: ReturnRequest = { resolution, notes, reply: reply || null };
  // The API's own schema has the last word (lengths and all): what it would refuse is never sent.
  const checked = ReturnHandoffBody.safeParse(body);
  if (!checked.success) return { ok: false, problems: checked.error.issues.map((i) => `${i.path.join('.') || 'return'}: ${i.message}`) };
  return { ok: true, body };
}

/** What the person is told once it is returned. */
export function returnedWords(h: Pick<HandoffView, 'state' | 'agent_id' | 'reply'>): string {
  if (h.state === 'closed') return `Closed: ${h.agent_id} does not resume the session.`;
  const reply = h.reply ? ' and passes your reply on' : '';
  return `Handed back to ${h.agent_id}: it resumes the session with your notes${reply}.`;
}
