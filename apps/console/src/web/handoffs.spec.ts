import { HandoffView } from '@hitl/reviewer-api';
import {
  handoffIdOf,
  handoffPath,
  heldBy,
  oldestFirst,
  returnedWords,
  sessionWords,
  slaSecondsLeft,
  slaText,
  speakerOf,
  stateWords,
  validateReturn,
} from './handoffs';

const ID = '0b6c1f0e-8a51-4c1c-9f0a-3d2e1c0b9a87';
const NOW = Date.parse('2026-12-04T10:00:00.000Z');
const open: HandoffView = {
  id: ID,
  workspace: 'acme-support',
  agent_id: 'refund-bot',
  session_id: 's-42',
  on_behalf_of: 'cust-7',
  reason: 'The customer asks for a person',
  transcript: [
    { from: 'user', text: 'My blender arrived cracked.' },
    { from: 'agent', text: 'I can offer a refund.' },
  ],
  requested_at: '2026-12-04T09:55:00.000Z',
  state: 'open',
  reviewer_role: 'support_agent',
  escalation_path: ['support_agent', 'team_lead'],
  tier: 0,
  sla_deadline: '2026-12-04T10:05:00.000Z',
  taken_by: null,
  taken_at: null,
  returned_by: null,
  returned_at: null,
  notes: null,
  reply: null,
  can_take: true,
};
const taken: HandoffView = { ...open, state: 'taken', sla_deadline: null, taken_by: 'rev-alice', taken_at: '2026-12-04T09:58:00.000Z', can_take: false };

describe('handoff paths', () => {
  it.each([
    ['/handoffs', null],
    ['/handoffs/', null],
    [`/handoffs/${ID}`, ID],
    [`/handoffs/${ID.toUpperCase()}/`, ID],
    ['/handoffs/not-an-id', null],
    [`/approvals/${ID}`, null],
  ])('%s opens %s', (path, id) => expect(handoffIdOf(path)).toBe(id));

  it('round-trips', () => {
    expect(handoffPath(null)).toBe('/handoffs');
    expect(handoffIdOf(handoffPath(ID))).toBe(ID);
  });
});

describe('handoffs in words', () => {
  it('lists the oldest request first, then by id', () => {
    const items = [
      { id: 'c', requested_at: '2026-12-04T09:59:00.000Z' },
      { id: 'b', requested_at: '2026-12-04T09:50:00.000Z' },
      { id: 'a', requested_at: '2026-12-04T09:59:00.000Z' },
      { id: 'd', requested_at: '2026-12-04T09:50:00+01:00' },
    ];
    expect(oldestFirst(items).map((i) => i.id)).toEqual(['d', 'b', 'a', 'c']);
    expect(items.map((i) => i.id)).toEqual(['c', 'b', 'a', 'd']);
  });

  it.each([
    ['user', 'End user'],
    ['agent', 'Agent'],
    ['person', 'Person'],
  ] as const)('a turn from %s is said by %s', (from, words) => expect(speakerOf(from)).toBe(words));

  it.each([
    ['open', 'rev-alice', open, 'Waiting for support_agent'],
    ['moved up', 'rev-alice', { ...open, tier: 1, reviewer_role: 'team_lead' }, 'Waiting for team_lead (moved up: nobody took it over in time)'],
    ['taken', 'rev-alice', taken, 'Taken over by you'],
    ['taken', 'rev-bruno', taken, 'Taken over by rev-alice'],
    ['handed back', 'rev-alice', { ...taken, state: 'handed_back' as const, returned_by: 'rev-alice' }, 'Handed back to the agent by you'],
    ['closed', 'rev-bruno', { ...taken, state: 'closed' as const, returned_by: 'rev-alice' }, 'Closed by rev-alice'],
  ])('%s, seen by %s', (_, viewer, h, words) => expect(stateWords(h, viewer)).toBe(words));

  it.each([
    ['open, 5 min to go', open, NOW, 300, '5m 00s left', 'ok'],
    ['open, under 5 min to go', open, NOW + 61_500, 238, '3m 58s left', 'soon'],
    ['open, past its deadline', open, NOW + 400_000, -100, 'overdue 1m 40s', 'overdue'],
    ['taken', taken, NOW, null, 'being handled', 'none'],
    ['closed', { ...taken, state: 'closed' as const }, NOW, null, 'returned', 'none'],
  ])('the SLA of a handoff %s', (_, h, now, seconds, text, urgency) => {
    expect(slaSecondsLeft(h, now)).toBe(seconds);
    expect(slaText(h, now)).toEqual({ text, urgency });
  });

  it.each([
    ['for a customer', open, 'refund-bot, session s-42, for cust-7'],
    ['for nobody said', { ...open, on_behalf_of: null }, 'refund-bot, session s-42'],
  ])('whose session, %s', (_, h, words) => expect(sessionWords(h)).toBe(words));

  it.each([
    ['taken', 'rev-alice', taken, true],
    ['taken', 'rev-bruno', taken, false],
    ['open', 'rev-alice', open, false],
    ['handed back', 'rev-alice', { ...taken, state: 'handed_back' as const }, false],
  ])('%s, held by %s', (_, viewer, h, held) => expect(heldBy(h, viewer)).toBe(held));

  it.each([
    [
      'handed back with a reply',
      { ...taken, state: 'handed_back' as const, reply: 'Refunded.' },
      'Handed back to refund-bot: it resumes the session with your notes and passes your reply on.',
    ],
    ['handed back', { ...taken, state: 'handed_back' as const, reply: null }, 'Handed back to refund-bot: it resumes the session with your notes.'],
    ['closed', { ...taken, state: 'closed' as const }, 'Closed: refund-bot does not resume the session.'],
  ])('returned: %s', (_, h, words) => expect(returnedWords(h)).toBe(words));
});

describe('the return form', () => {
  it.each([
    [
      'handed back with a reply',
      { notes: '  Refunded $120.  ', reply: ' Done! ' },
      'handed_back' as const,
      { resolution: 'handed_back', notes: 'Refunded $120.', reply: 'Done!' },
    ],
    ['closed without a reply', { notes: 'Solved by phone', reply: '   ' }, 'closed' as const, { resolution: 'closed', notes: 'Solved by phone', reply: null }],
  ])('%s: sent as %j', (_, form, resolution, body) => expect(validateReturn(form, resolution)).toEqual({ ok: true, body }));

  it.each([
    ['no notes', { notes: '  ', reply: 'hi' }, ['Write notes: what was done, and what the agent should do next.']],
    ['notes too short', { notes: ' ok ', reply: '' }, ['Write at least 3 characters of notes.']],
    ['notes the API would refuse', { notes: 'x'.repeat(20_001), reply: '' }, ['notes: must be at most 20000 characters']],
    ['a reply the API would refuse', { notes: 'Refunded', reply: 'x'.repeat(20_001) }, ['reply: must be at most 20000 characters']],
  ])('%s: refused', (_, form, problems) => expect(validateReturn(form, 'handed_back')).toEqual({ ok: false, problems }));
});
