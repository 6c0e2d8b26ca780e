import { OnTimeout } from '@hitl/contracts';
import { Candidate } from './approval';
import { placeNewApproval } from './assignment';
import { onExpired, onSlaMissed } from './timers';
import { TierClock, tierDeadline, tierShareSeconds } from './tiers';
import { approvalState } from '../test/approval-state';

const t0 = new Date('2026-12-03T09:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const secondsAfterStart = (d: Date) => (d.getTime() - t0.getTime()) / 1000;

describe('a tier deadline: the sooner of its SLA and an even share of the time left before expiry', () => {
  const clock = (overrides: Partial<TierClock>): TierClock => ({ slaMinutes: 60, expiresAt: at(900), onTimeout: 'deny', tier: 0, pathLength: 2, ...overrides });
  it.each<[string, Partial<TierClock>, number, number]>([
    // name, clock, now (s), deadline (s after start)
    ['refunds as shipped (900 s, two tiers, 60-minute SLA): the first tier gets half', {}, 0, 450],
    ['the second tier, offered at 450 s, gets all that is left', { tier: 1 }, 450, 900],
    ['a reassignment within the first tier gets half of what is left', {}, 450, 675],
    ['the seed manifest (3600 s, two tiers, 60-minute SLA): 1800 s, not the very moment it expires', { expiresAt: at(3600) }, 0, 1800],
    ['an SLA shorter than the share wins', { slaMinutes: 5 }, 0, 300],
    ['one tier: the whole time, or its SLA', { pathLength: 1, slaMinutes: 60 }, 0, 900],
    ['three tiers: a third each', { pathLength: 3, expiresAt: at(3600) }, 0, 1200],
    ['nothing expires (an after-the-fact review): the SLA', { expiresAt: null }, 0, 3600],
    ['on_timeout escalate: the expiry is the tier own, so the share is all of it', { onTimeout: 'escalate' }, 0, 900],
    ['past the expiry: now (the expiry handles it)', {}, 1000, 1000],
  ])('%s', (_name, overrides, now, deadline) => {
    expect(secondsAfterStart(tierDeadline(clock(overrides), at(now)))).toBe(deadline);
  });

  it.each<[OnTimeout, number, number, number]>([
    ['deny', 900, 2, 450],
    ['approve', 60, 3, 20],
    ['escalate', 900, 2, 900],
  ])('the share a tier gets when it is requested (on_timeout %s, %i s, %i tiers): %i s', (onTimeout, seconds, tiers, share) => {
    expect(tierShareSeconds(seconds, onTimeout, tiers)).toBe(share);
  });
});

describe('nobody acts: every tier is offered the decision before on_timeout applies', () => {
  const reviewer = (id: string, roles: string[]): Candidate => ({ id, roles, workspaces: ['acme'], available: true, capacity: null, pending: 0 });
  const desk = [reviewer('pia', ['primary_reviewer']), reviewer('quinn', ['primary_reviewer']), reviewer('tom', ['team_lead'])];

  it.each<[string, number, string[]]>([
    // The seed's send_customer_email shape: two tiers, a 60-minute SLA, with the timeout shortened.
    ['120 s before expiry', 120, ['assigned pia at 0 until 60', 'reassigned quinn at 60 until 90', 'escalated tom at 90 until 120', 'expired at 120']],
    [
      'the seed timeout of 3600 s',
      3600,
      ['assigned pia at 0 until 1800', 'reassigned quinn at 1800 until 2700', 'escalated tom at 2700 until 3600', 'expired at 3600'],
    ],
  ])('%s: reassigned, then offered to team_lead, then expired, in that order', (_name, timeout, expected) => {
    let state = approvalState({
      escalationPath: ['primary_reviewer', 'team_lead'],
      actionPath: ['primary_reviewer', 'team_lead'],
      assignee: null,
      approvalTimeoutSeconds: timeout,
      expiresAt: at(timeout),
    });
    const first = tierDeadline({ slaMinutes: 60, expiresAt: at(timeout), onTimeout: 'deny', tier: 0, pathLength: 2 }, t0);
    const placed = placeNewApproval(state, desk, first, t0);
    const story = [`assigned ${placed.reviewerId} at 0 until ${secondsAfterStart(placed.slaDeadline)}`];
    state = { ...state, assignee: placed.reviewerId };
    let deadline = placed.slaDeadline;
    while (deadline.getTime() < at(timeout).getTime()) {
      const missed = onSlaMissed(state, desk, deadline);
      if (missed.kind === 'unanswered') throw new Error('nobody left');
      story.push(`${missed.kind} ${missed.reviewerId} at ${secondsAfterStart(deadline)} until ${secondsAfterStart(missed.slaDeadline)}`);
      state =
        missed.kind === 'reassigned'
          ? { ...state, assignee: missed.reviewerId, triedAtTier: [...state.triedAtTier, state.assignee!] }
          : { ...state, tier: missed.tier, assignee: missed.reviewerId, triedAtTier: [] };
      deadline = missed.slaDeadline;
    }
    const expiry = onExpired(state, desk, at(timeout));
    story.push(`${expiry.kind === 'resolve' ? expiry.status : expiry.kind} at ${timeout}`);
    expect(story).toEqual(expected);
  });

  it('a later tier placed at once (nobody qualified at the first) gets its share, not a whole SLA past expiry', () => {
    const state = approvalState({ assignee: null, expiresAt: at(900) });
    const placed = placeNewApproval(state, [reviewer('dan', ['finance_lead'])], at(450), t0);
    expect(placed).toMatchObject({ tier: 1, reviewerId: 'dan' });
    expect(secondsAfterStart(placed.slaDeadline)).toBe(900);
  });
});
