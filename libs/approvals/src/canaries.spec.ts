import { APPROVAL_REQUESTED, CanaryAnswer, CanaryExpected, exampleEvent, payloadHash } from '@hitl/contracts';
import { Actor } from './authority';
import { CanaryMark, bringsCanary, canaryIndex, canaryMissed, decideCanary, drawOf, scoreCanary } from './canaries';
import { Review, ReviewCommand } from './review';
import { approvalState } from '../test/approval-state';

const now = new Date('2026-11-22T09:00:00Z');
const parameters = { order_id: 'ORD-1', amount_usd: 4200 };
const hash = payloadHash('process_refund', parameters);

const review = (overrides: Partial<Review> = {}): Review => ({
  ...approvalState({ assignee: 'alice' }),
  payloadHash: hash,
  approvalId: '5b0c8d7e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
  decisionId: '6c1d9e8f-2a3b-4c4d-9e5f-6a7b8c9d0e1f',
  action: 'process_refund',
  parameters,
  edited: false,
  request: exampleEvent(APPROVAL_REQUESTED).data,
  manifestVersion: 'sha256:m1',
  confidence: 0.7,
  requestedAt: now,
  rollbackWindowSeconds: null,
  clocks: { slaDeadline: new Date(now.getTime() + 1_800_000), expiresAt: null },
  clarificationTimeoutSeconds: 3600,
  ...overrides,
});
const canary: CanaryMark = { expected: 'deny', why: 'more than the order was charged', item: 0 };
const alice: Actor = { id: 'alice', roles: ['support_agent'], workspaces: ['acme'] };

const approve = (by: Actor, shown = hash): ReviewCommand => ({ act: 'approve', by, shownPayloadHash: shown, notes: null, chosenOption: null });
const deny = (by: Actor): ReviewCommand => ({ act: 'deny', by, reason: 'too much', notes: null });
const edit = (by: Actor): ReviewCommand => ({
  act: 'edit',
  by,
  shownPayloadHash: hash,
  parameters: { ...parameters, amount_usd: 40 },
  reroute: { verdict: 'human_review', reviewerRole: 'support_agent', decidedBy: 'confidence' },
  notes: null,
  chosenOption: null,
});

describe('mixing canaries in', () => {
  const ids = Array.from({ length: 4000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

  it('the draw depends on the id alone (any replica, any redelivery), whatever its case', () => {
    expect(drawOf(ids[7], 'canary')).toBe(drawOf(ids[7].toUpperCase(), 'canary'));
    expect(drawOf(ids[7], 'canary')).not.toBe(drawOf(ids[7], 'canary-item'));
  });

  it.each<[number, number, number]>([
    [0, 0, 0],
    [0.05, 0.035, 0.065],
    [0.2, 0.18, 0.22],
  ])('at rate %f, about that share of approvals brings one (between %f and %f of 4000)', (rate, low, high) => {
    const share = ids.filter((id) => bringsCanary(id, rate)).length / ids.length;
    expect(share).toBeGreaterThanOrEqual(low);
    expect(share).toBeLessThanOrEqual(high);
  });

  it.each<[number, number[]]>([
    [0, [-1]],
    [1, [0]],
    [3, [0, 1, 2]],
  ])('the item: one of the %i eligible, every one of them used over many approvals', (count, expected) => {
    expect([...new Set(ids.map((id) => canaryIndex(id, count)))].sort()).toEqual(expected);
  });
});

describe('scoring a canary', () => {
  it.each<[CanaryExpected, CanaryAnswer | null, boolean | null]>([
    ['deny', 'deny', true],
    ['deny', 'approve', false],
    ['deny', 'edit', false],
    ['approve', 'approve', true],
    ['approve', 'edit', true],
    ['approve', 'deny', false],
    ['deny', null, null],
  ])('expected %s, answered %s: correct %s', (expected, answered, correct) => expect(scoreCanary(expected, answered)).toBe(correct));

  it.each<[string, ReviewCommand, string, string, boolean]>([
    ['an approval of a canary that expects a denial', approve(alice), 'approved', 'approve', false],
    ['a denial', deny(alice), 'denied', 'deny', true],
    ['an edit: approves with changes', edit(alice), 'approved', 'edit', false],
  ])('%s: the reviewer is told %s as usual; only canary_scored is published', (_, command, status, answered, correct) => {
    const verdict = decideCanary(review(), canary, command, now);
    if (verdict.kind !== 'decided') throw new Error(`refused: ${verdict.refusal.code}`);
    expect(verdict.status).toBe(status);
    expect(verdict.events.map((e) => e.type)).toEqual(['hitl.approval.canary_scored.v1']);
    expect(verdict.events[0].data).toMatchObject({ reviewer_id: 'alice', reviewer_role: 'support_agent', expected: 'deny', answered, correct });
    expect(verdict.changes).toEqual([
      { kind: 'finish', status, resolution: { canary: true, reviewer_id: 'alice', expected: 'deny', answered, correct, why: canary.why } },
    ]);
  });

  it.each<[string, Partial<Review>, ReviewCommand, string]>([
    ['another workspace', {}, approve({ ...alice, workspaces: ['globex'] }), 'wrong_workspace'],
    ['a role below its tier', { tier: 1 }, deny(alice), 'wrong_role'],
    ['a payload not shown', {}, approve(alice, 'sha256:old'), 'stale_payload'],
    ['already scored', { status: 'denied' }, deny(alice), 'already_resolved'],
  ])('refused as a real item would be: %s', (_, overrides, command, code) => {
    const verdict = decideCanary(review(overrides), canary, command, now);
    expect(verdict.kind === 'refused' && verdict.refusal.code).toBe(code);
  });

  it('a question to the agent pauses it as usual, but asks nobody: no agent proposed it', () => {
    const verdict = decideCanary(review(), canary, { act: 'clarify', by: alice, clarificationId: 'c-1', question: 'which card?' }, now);
    if (verdict.kind !== 'decided') throw new Error('refused');
    expect([verdict.status, verdict.changes.map((c) => c.kind), verdict.events]).toEqual(['clarifying', ['pause', 'ask'], []]);
  });

  it('a rollback is refused: it was never reviewed after it ran', () => {
    const verdict = decideCanary(review(), canary, { act: 'rollback', by: alice, reason: 'oops' }, now);
    expect(verdict.kind === 'refused' && verdict.refusal.code).toBe('not_post_review');
  });

  it.each<[string | null]>([['alice'], [null]])('missed by its assignee (%s): expired, scored with no answer', (assignee) => {
    const missed = canaryMissed(review({ assignee }), canary, now);
    expect(missed.status).toBe('expired');
    expect(missed.resolution).toEqual({ canary: true, reviewer_id: assignee, expected: 'deny', answered: null, correct: null, why: canary.why });
    expect([missed.event.type, missed.event.data]).toEqual([
      'hitl.approval.canary_scored.v1',
      expect.objectContaining({ reviewer_id: assignee, answered: null, correct: null }),
    ]);
  });
});
