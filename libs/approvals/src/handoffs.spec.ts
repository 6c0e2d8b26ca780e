import { exampleEvent, HANDOFF_REQUESTED, eventSchema } from '@hitl/contracts';
import { Actor } from './authority';
import { Handoff, HandoffCommand, decideHandoff, describeHandoff, onHandoffDue, openHandoff } from './handoffs';

const now = new Date('2026-12-04T10:00:00Z');
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const policy = { escalation_path: ['support_agent', 'support_lead'], sla_minutes: 15 };
const request = exampleEvent(HANDOFF_REQUESTED).data;
const opened = () => openHandoff(request, 'acme-support', policy, now);

const alice: Actor = { id: 'rev-alice', roles: ['support_agent'], workspaces: ['acme-support'] };
const lead: Actor = { id: 'rev-lead', roles: ['support_lead'], workspaces: ['acme-support'] };
const finance: Actor = { id: 'rev-fin', roles: ['finance_lead'], workspaces: ['acme-support'] };
const elsewhere: Actor = { id: 'rev-other', roles: ['support_agent'], workspaces: ['globex'] };
const customer: Actor = { id: 'rev-cust', aliases: ['cust-8812'], roles: ['support_agent'], workspaces: ['acme-support'] };
const selfMade: Actor = { id: 'rev-self', roles: ['support_agent'], workspaces: ['acme-support'], grantedBy: 'rev-self' };

const take: HandoffCommand = { kind: 'take' };
const handBack: HandoffCommand = { kind: 'return', resolution: 'handed_back', notes: 'refunded shipping by hand', reply: 'done' };
const close: HandoffCommand = { kind: 'return', resolution: 'closed', notes: 'customer satisfied', reply: null };

function takenBy(person: Actor): Handoff {
  const outcome = decideHandoff(person, opened().handoff, take, later(1));
  if (!outcome.ok) throw new Error(outcome.refusal.message);
  return outcome.handoff;
}

describe('opening a handoff', () => {
  it('waits at the first role of the path with the SLA as its deadline, and says so in a valid event', () => {
    const { handoff, event } = opened();
    expect(handoff).toMatchObject({ state: 'open', tier: 0, sla_deadline: '2026-12-04T10:15:00.000Z', on_behalf_of: 'cust-8812', replica_id: 'refund-bot-2' });
    expect(handoff.checkpoint).toEqual(request.checkpoint);
    expect(event.data).toMatchObject({ handoff_id: request.handoff_id, reviewer_role: 'support_agent', tier: 0 });
    expect(eventSchema(event.type).safeParse(event).success).toBe(true);
    expect(describeHandoff(handoff)).toContain('waiting for support_agent');
  });
});

describe('who takes a handoff over', () => {
  it.each([
    ['a reviewer of the first role', alice, null],
    ['a reviewer of a later role of the path', lead, null],
    ['a reviewer of a role outside the path', finance, 'wrong_role'],
    ['a reviewer of another workspace', elsewhere, 'wrong_workspace'],
    ['the end user the session serves (by alias)', customer, 'requester'],
    ['a reviewer on authority they gave themselves', selfMade, 'self_granted'],
  ])('%s', (_, person, code) => {
    const outcome = decideHandoff(person, opened().handoff, take, later(1));
    if (code === null) {
      expect(outcome.ok).toBe(true);
      if (outcome.ok) expect(outcome.handoff).toMatchObject({ state: 'taken', taken_by: person.id, sla_deadline: null });
    } else {
      expect(outcome).toMatchObject({ ok: false, refusal: { code } });
    }
  });

  it('once: a second person is told who has it', () => {
    expect(decideHandoff(lead, takenBy(alice), take, later(2))).toMatchObject({ ok: false, refusal: { code: 'already_taken', status: 409 } });
  });
});

describe('returning a handoff', () => {
  it.each([
    ['handed back by the taker', alice, handBack, 'handed_back', null],
    ['closed by the taker', alice, close, 'closed', null],
    ['by someone else', lead, handBack, null, 'not_yours'],
  ] as const)('%s', (_, person, command, state, code) => {
    const outcome = decideHandoff(person, takenBy(alice), command, later(5));
    if (code) return expect(outcome).toMatchObject({ ok: false, refusal: { code } });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.handoff.state).toBe(state);
    expect(outcome.event.data).toMatchObject({ resolution: state, returned_by: 'rev-alice', checkpoint: request.checkpoint, replica_id: 'refund-bot-2' });
    expect(eventSchema(outcome.event.type).safeParse(outcome.event).success).toBe(true);
  });

  it('not before it was taken over, and not twice', () => {
    expect(decideHandoff(alice, opened().handoff, handBack, later(1))).toMatchObject({ ok: false, refusal: { code: 'not_taken' } });
    const returned = decideHandoff(alice, takenBy(alice), close, later(5));
    if (!returned.ok) throw new Error('expected a return');
    expect(decideHandoff(alice, returned.handoff, handBack, later(6))).toMatchObject({ ok: false, refusal: { code: 'already_returned' } });
    expect(decideHandoff(lead, returned.handoff, take, later(6))).toMatchObject({ ok: false, refusal: { code: 'already_returned' } });
  });
});

describe('the SLA of a handoff nobody took over', () => {
  it.each([
    ['before the deadline', 14, 'not_due', 0],
    ['at the deadline: the next role', 15, 'escalate', 1],
  ] as const)('%s', (_, minutes, kind, tier) => {
    const outcome = onHandoffDue(opened().handoff, later(minutes));
    expect(outcome.kind).toBe(kind);
    if (outcome.kind === 'escalate') {
      expect(outcome.handoff.tier).toBe(tier);
      expect(outcome.event.data).toMatchObject({ from_role: 'support_agent', reviewer_role: 'support_lead', sla_deadline: later(minutes + 15).toISOString() });
    }
  });

  it('at the last role it is offered there again, with a new deadline on the record', () => {
    const first = onHandoffDue(opened().handoff, later(15));
    if (first.kind !== 'escalate') throw new Error('expected an escalation');
    const again = onHandoffDue(first.handoff, later(30));
    expect(again).toMatchObject({ kind: 'escalate', handoff: { tier: 1 }, event: { data: { from_role: 'support_lead', reviewer_role: 'support_lead' } } });
    if (again.kind === 'escalate') expect(again.event.data.reason).toContain('offered again');
  });

  it('a taken handoff has no SLA left', () => {
    expect(onHandoffDue(takenBy(alice), later(60)).kind).toBe('not_due');
  });
});
