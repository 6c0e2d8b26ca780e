import { ApprovalState, Candidate } from './approval';
import { hasRoomForPostReview, leastLoaded, placeNewApproval, placePostReview, qualifies } from './assignment';
import { completesApproval, refuse, refuseEdit } from './authority';
import { onExpired, onSlaMissed } from './timers';
import { approvalState } from '../test/approval-state';

const now = new Date('2026-11-22T09:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

const approval = (overrides: Partial<ApprovalState> = {}): ApprovalState => approvalState({ assignee: null, ...overrides });

const reviewer = (id: string, roles: string[], pending = 0, extra: Partial<Candidate> = {}): Candidate => ({
  id,
  roles,
  workspaces: ['acme'],
  available: true,
  capacity: null,
  pending,
  ...extra,
});

const team = [
  reviewer('alice', ['support_agent'], 3),
  reviewer('bob', ['support_agent'], 1),
  reviewer('carol', ['support_agent'], 1),
  reviewer('dan', ['finance_lead'], 0),
  reviewer('erin', ['support_agent'], 0, { available: false }),
  reviewer('frank', ['support_agent'], 0, { workspaces: ['globex'] }),
  reviewer('gina', ['support_agent'], 2, { capacity: 2 }),
];

describe('who qualifies', () => {
  it.each([
    ['holds the role in the workspace', reviewer('x', ['support_agent']), true],
    ['every workspace', reviewer('x', ['support_agent'], 0, { workspaces: ['*'] }), true],
    ['another role', reviewer('x', ['finance_lead']), false],
    ['another workspace', reviewer('x', ['support_agent'], 0, { workspaces: ['globex'] }), false],
    ['unavailable', reviewer('x', ['support_agent'], 0, { available: false }), false],
    ['at capacity', reviewer('x', ['support_agent'], 5, { capacity: 5 }), false],
    ['below capacity', reviewer('x', ['support_agent'], 4, { capacity: 5 }), true],
    ['the person the action is for', reviewer('customer-1', ['support_agent']), false],
  ])('%s: %s', (_name, candidate, expected) => {
    expect(qualifies(candidate, 'support_agent', 'acme', 'customer-1')).toBe(expected);
  });

  it('the least loaded wins; ties go by id', () => {
    expect(leastLoaded(team, 'support_agent', 'acme', null)?.id).toBe('bob');
    expect(leastLoaded(team, 'support_agent', 'acme', null, ['bob'])?.id).toBe('carol');
  });
});

describe('placing a new request', () => {
  const requested = at(60);

  it.each([
    [
      'the least loaded of the first tier, keeping the router deadline',
      team,
      { tier: 0, role: 'support_agent', reviewerId: 'bob', slaDeadline: requested, alert: null },
    ],
    [
      'nobody in the first tier: the next tier, with its own SLA',
      team.filter((c) => !c.roles.includes('support_agent')),
      { tier: 1, role: 'finance_lead', reviewerId: 'dan', slaDeadline: at(60), alert: null },
    ],
  ])('%s', (_name, candidates, expected) => {
    expect(placeNewApproval(approval(), candidates, requested, now)).toEqual(expected);
  });

  it('the first tier all at capacity: it waits in that tier’s queue, not skipped up the path, and nobody is alerted', () => {
    const full = [reviewer('ann', ['support_agent'], 5, { capacity: 5 }), reviewer('dan', ['finance_lead'], 0)];
    expect(placeNewApproval(approval(), full, requested, now)).toEqual({
      tier: 0,
      role: 'support_agent',
      reviewerId: null,
      slaDeadline: requested,
      alert: null,
    });
  });

  it('post-reviews never take room from blocking work', () => {
    const busy = reviewer('ann', ['support_agent'], 2, { capacity: 5, postReviews: 20 });
    expect(placeNewApproval(approval(), [busy], requested, now)).toMatchObject({ tier: 0, reviewerId: 'ann' });
  });

  it('nobody at all: it waits in the first queue and operations are alerted', () => {
    const placed = placeNewApproval(approval(), [], requested, now);
    expect(placed).toMatchObject({ tier: 0, role: 'support_agent', reviewerId: null, slaDeadline: requested });
    expect(placed.alert).toContain('no available reviewer');
  });
});

describe('an SLA that runs out', () => {
  it.each([
    [
      'goes to the next qualified reviewer of the tier',
      approval({ assignee: 'bob' }),
      { kind: 'reassigned', reviewerId: 'carol', previousReviewerId: 'bob', tier: 0 },
    ],
    ['skips who already had it', approval({ assignee: 'carol', triedAtTier: ['bob'] }), { kind: 'reassigned', reviewerId: 'alice' }],
    [
      'then escalates to the next tier',
      approval({ assignee: 'alice', triedAtTier: ['bob', 'carol'] }),
      { kind: 'escalated', tier: 1, role: 'finance_lead', fromRole: 'support_agent', reviewerId: 'dan' },
    ],
    ['after the last tier, alerts and waits', approval({ tier: 1, assignee: 'dan' }), { kind: 'unanswered' }],
  ])('%s', (_name, state, expected) => {
    const outcome = onSlaMissed(state, team, now);
    expect(outcome).toMatchObject(expected);
    expect(outcome.slaDeadline).toEqual(at(60)); // a new window of sla_minutes[urgency]
  });

  it('measures the new window by the urgency', () => {
    expect(onSlaMissed(approval({ urgency: 'critical', assignee: 'bob' }), team, now).slaDeadline).toEqual(at(5));
  });
});

describe('a request that expires', () => {
  it.each([
    ['deny: expired', approval({ onTimeout: 'deny' }), { kind: 'resolve', status: 'expired' }],
    [
      'escalate: up a tier, with a new expiry',
      approval({ onTimeout: 'escalate' }),
      { kind: 'escalated', tier: 1, role: 'finance_lead', reviewerId: 'dan', expiresAt: at(15) },
    ],
    ['escalate at the last tier: expired', approval({ onTimeout: 'escalate', tier: 1 }), { kind: 'resolve', status: 'expired' }],
    [
      'approve where the manifest allows it: approved',
      approval({ onTimeout: 'approve', approveOnTimeoutAllowed: true }),
      { kind: 'resolve', status: 'approved' },
    ],
    [
      'approve where it does not: expired, never approved',
      approval({ onTimeout: 'approve', approveOnTimeoutAllowed: false }),
      { kind: 'resolve', status: 'expired' },
    ],
  ])('%s', (_name, state, expected) => {
    expect(onExpired(state, team, now)).toMatchObject(expected);
  });

  it('no timeout ever approves unless the manifest allowed it', () => {
    for (const onTimeout of ['deny', 'escalate', 'approve'] as const) {
      for (const tier of [0, 1]) {
        const outcome = onExpired(approval({ onTimeout, tier, approveOnTimeoutAllowed: false }), team, now);
        expect(outcome.kind === 'resolve' && outcome.status === 'approved').toBe(false);
      }
    }
  });
});

describe('room for a post-review', () => {
  it.each([
    ['no capacity set', reviewer('x', ['support_agent'], 40, { postReviews: 40 }), true],
    ['blocking and post-reviews below capacity', reviewer('x', ['support_agent'], 2, { capacity: 5, postReviews: 2 }), true],
    ['blocking work fills what post-reviews could have', reviewer('x', ['support_agent'], 5, { capacity: 5, postReviews: 0 }), false],
    ['blocking and post-reviews together at capacity', reviewer('x', ['support_agent'], 3, { capacity: 5, postReviews: 2 }), false],
  ])('%s: %s', (_name, candidate, expected) => {
    expect(hasRoomForPostReview(candidate)).toBe(expected);
  });
});

describe('placing a post-review', () => {
  const postReview = approval({ route: 'post_review' });

  it.each([
    [
      'the reviewer with the most room left after blocking work',
      [reviewer('ann', ['support_agent'], 1, { capacity: 5, postReviews: 3 }), reviewer('bea', ['support_agent'], 3, { capacity: 5, postReviews: 0 })],
      { kind: 'queued', role: 'support_agent', reviewerId: 'bea' },
    ],
    [
      'only its own role: a finance lead with room does not take a support agent’s post-review',
      [reviewer('ann', ['support_agent'], 5, { capacity: 5 }), reviewer('dan', ['finance_lead'], 0, { capacity: 5 })],
      { kind: 'not_queued', role: 'support_agent', reason: 'no_review_capacity' },
    ],
    [
      'never the person the action is for',
      [reviewer('customer-1', ['support_agent'], 0, { capacity: 5 })],
      { kind: 'not_queued', role: 'support_agent', reason: 'no_review_capacity' },
    ],
  ])('%s', (_name, candidates, expected) => {
    expect(placePostReview({ ...postReview, onBehalfOf: 'customer-1' }, candidates)).toMatchObject(expected);
  });

  it('nobody with room: not queued, and the reason says sampling backed off', () => {
    const placed = placePostReview(postReview, [reviewer('ann', ['support_agent'], 2, { capacity: 4, postReviews: 2 })]);
    expect(placed).toMatchObject({ kind: 'not_queued', reason: 'no_review_capacity' });
    expect(placed.kind === 'not_queued' && placed.detail).toContain('sampling backed off');
  });

  it('nobody of the role at all: not queued, and the reason says so', () => {
    const placed = placePostReview(postReview, [reviewer('dan', ['finance_lead'])]);
    expect(placed.kind === 'not_queued' && placed.detail).toContain('no available support_agent');
  });

  it('its review window closing ends it unreviewed: no resolution, whatever on_timeout says', () => {
    for (const onTimeout of ['deny', 'escalate', 'approve'] as const) {
      const outcome = onExpired({ ...postReview, onTimeout, approveOnTimeoutAllowed: true, expiresAt: now }, team, now);
      expect(outcome).toMatchObject({ kind: 'unreviewed', reason: 'review_window_closed' });
    }
  });
});

describe('who may decide', () => {
  const alice = { id: 'alice', roles: ['support_agent'], workspaces: ['acme'] };
  const dan = { id: 'dan', roles: ['finance_lead'], workspaces: ['acme'] };

  it.each([
    ['a reviewer of the tier', alice, approval(), 'approve', undefined, null],
    ['a reviewer of a higher tier', dan, approval(), 'approve', undefined, null],
    ['a reviewer of a lower tier', alice, approval({ tier: 1 }), 'approve', undefined, 'wrong_role'],
    ['a reviewer of another role', { ...alice, roles: ['marketing'] }, approval(), 'deny', undefined, 'wrong_role'],
    ['a reviewer of another workspace', { ...alice, workspaces: ['globex'] }, approval(), 'deny', undefined, 'wrong_workspace'],
    ['the person the action is for, approving', alice, approval({ onBehalfOf: 'alice' }), 'approve', undefined, 'requester'],
    ['the person the action is for, editing', alice, approval({ onBehalfOf: 'alice' }), 'edit', undefined, 'requester'],
    ['the person the action is for, denying', alice, approval({ onBehalfOf: 'alice' }), 'deny', undefined, null],
    ['a second vote by the same reviewer', alice, approval({ requiredApprovals: 2, approvedBy: ['alice'] }), 'approve', undefined, 'already_approved'],
    ['on a payload they were not shown', alice, approval(), 'approve', 'sha256:old', 'stale_payload'],
    ['on the payload they were shown', alice, approval(), 'approve', 'sha256:aaa', null],
    ['after it was resolved', alice, approval({ status: 'denied' }), 'approve', undefined, 'already_resolved'],
    ['while a clarification is pending', alice, approval({ status: 'clarifying' }), 'approve', undefined, null],
  ] as const)('%s', (_name, actor, state, act, hash, code) => {
    expect(refuse({ ...actor, roles: [...actor.roles], workspaces: [...actor.workspaces] }, state, act, hash)?.code ?? null).toBe(code);
  });

  it('two-person rule: needs two distinct reviewers', () => {
    const state = approval({ requiredApprovals: 2 });
    expect(completesApproval(state, 'alice')).toBe(false);
    expect(completesApproval({ ...state, approvedBy: ['alice'] }, 'alice')).toBe(false);
    expect(completesApproval({ ...state, approvedBy: ['alice'] }, 'bob')).toBe(true);
  });

  it.each([
    ['an edit the policy would auto-approve', alice, { verdict: 'auto_approve', reviewerRole: null, decidedBy: 'amount below 50' }, null],
    ['an edit that still needs the first tier', alice, { verdict: 'human_review', reviewerRole: 'support_agent', decidedBy: 'confidence' }, null],
    [
      'an edit that crosses into the second tier, by the first tier',
      alice,
      { verdict: 'escalate', reviewerRole: 'finance_lead', decidedBy: 'amount above 1000' },
      'edit_needs_authority',
    ],
    ['...by the second tier', dan, { verdict: 'escalate', reviewerRole: 'finance_lead', decidedBy: 'amount above 1000' }, null],
    ['an edit the policy blocks', dan, { verdict: 'block', reviewerRole: null, decidedBy: 'parameters invalid' }, 'edit_blocked'],
  ] as const)('%s', (_name, actor, reroute, code) => {
    expect(refuseEdit({ ...actor, roles: [...actor.roles], workspaces: [...actor.workspaces] }, approval(), reroute)?.code ?? null).toBe(code);
  });
});
