import { APPROVAL_REQUESTED, exampleEvent, payloadHash } from '@hitl/contracts';
import { Actor, Reroute } from './authority';
import { REFUSAL_CODES, RefusalCode } from './refusals';
import { Decided, Review, ReviewCommand, decideReview } from './review';
import { approvalState } from '../test/approval-state';

const now = new Date('2026-11-22T09:00:00Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

const parameters = { order_id: 'ORD-1', amount_usd: 120 };
const hash = payloadHash('process_refund', parameters);
const request = exampleEvent(APPROVAL_REQUESTED).data;

function review(overrides: Partial<Review> = {}): Review {
  return {
    ...approvalState({ onBehalfOf: 'customer:c-1' }),
    payloadHash: hash,
    approvalId: 'a-1',
    decisionId: 'd-1',
    action: 'process_refund',
    parameters,
    edited: false,
    request,
    manifestVersion: 'sha256:m1',
    confidence: 0.8,
    requestedAt: at(-600),
    rollbackWindowSeconds: 3600,
    clocks: { slaDeadline: at(1800), expiresAt: at(900) },
    clarificationTimeoutSeconds: 3600,
    ...overrides,
  };
}

const alice: Actor = { id: 'alice', roles: ['support_agent'], workspaces: ['acme'] };
const bob: Actor = { id: 'bob', roles: ['support_agent'], workspaces: ['acme'] };
const dan: Actor = { id: 'dan', roles: ['finance_lead'], workspaces: ['acme'] };

const approve = (by: Actor, extra: Partial<Extract<ReviewCommand, { act: 'approve' }>> = {}): ReviewCommand => ({
  act: 'approve',
  by,
  shownPayloadHash: hash,
  notes: null,
  chosenOption: null,
  ...extra,
});
const deny = (by: Actor, reason = 'not eligible'): ReviewCommand => ({ act: 'deny', by, reason, notes: null });
const stays: Reroute = { verdict: 'human_review', reviewerRole: 'support_agent', decidedBy: 'confidence' };
const edit = (by: Actor, edited: Record<string, unknown>, reroute: Reroute = stays): ReviewCommand => ({
  act: 'edit',
  by,
  shownPayloadHash: hash,
  parameters: edited,
  reroute,
  notes: null,
  chosenOption: null,
});
const clarify = (by: Actor): ReviewCommand => ({ act: 'clarify', by, clarificationId: 'c-1', question: 'which card?' });
const rollback = (by: Actor): ReviewCommand => ({ act: 'rollback', by, reason: 'charged twice' });

/** given(an approval).when(a command): the decider's verdict, read as a business rule. */
const given = (overrides: Partial<Review> = {}) => ({ when: (command: ReviewCommand) => decideReview(review(overrides), command, now) });

describe('a review command that is refused', () => {
  const postReview = { route: 'post_review' as const };
  const cases: [string, Partial<Review>, ReviewCommand, RefusalCode][] = [
    ['approving what is already decided', { status: 'denied' }, approve(alice), 'already_resolved'],
    ['approving for another workspace', {}, approve({ ...alice, workspaces: ['globex'] }), 'wrong_workspace'],
    ['approving a tier above one’s role', { tier: 1 }, approve(alice), 'wrong_role'],
    ['approving as the person the action is for', { onBehalfOf: 'alice' }, approve(alice), 'requester'],
    ['approving on a grant one gave oneself', {}, approve({ ...alice, grantedBy: 'alice' }), 'self_granted'],
    ['a second vote by the same reviewer', { requiredApprovals: 2, approvedBy: ['alice'] }, approve(alice), 'already_approved'],
    ['approving a payload one was not shown', {}, approve(alice, { shownPayloadHash: 'sha256:old' }), 'stale_payload'],
    [
      'approving unchanged parameters that fail the schema (the repair loop sent them to a person)',
      {
        decisionId: 'd-1',
        request: {
          ...request,
          repair_attempts: [
            { decision_id: 'd-1', attempt: 1, parameters, errors: [{ field: 'parameters.amount_usd', rule: 'type', message: 'must be number' }] },
          ],
        },
      },
      approve(alice),
      'parameters_invalid',
    ],
    ['choosing an option the agent did not offer', {}, approve(alice, { chosenOption: 'store_credit' }), 'unknown_option'],
    ['denying an action that already ran', postReview, deny(alice), 'use_rollback'],
    ['editing an action that already ran', postReview, edit(alice, parameters), 'use_rollback'],
    [
      'an edit the policy blocks',
      {},
      edit(dan, { amount_usd: 300 }, { verdict: 'block', reviewerRole: null, decidedBy: 'parameters invalid' }),
      'edit_blocked',
    ],
    // A role that is no tier of this approval (the manifest in force changed its path): nobody to move it to.
    [
      'an edit needing a role outside the approval’s path',
      {},
      edit(alice, { ...parameters, amount_usd: 300 }, { verdict: 'escalate', reviewerRole: 'cfo', decidedBy: 'amount above 200' }),
      'edit_needs_authority',
    ],
    ['a question while another waits', { status: 'clarifying' }, clarify(alice), 'clarification_pending'],
    ['rolling back an action that has not run', {}, rollback(alice), 'not_post_review'],
    ['rolling back after the window', { ...postReview, rollbackWindowSeconds: 60 }, rollback(alice), 'rollback_window_closed'],
  ];

  it.each(cases)('%s: %s', (_name, state, command, code) => {
    const verdict = given(state).when(command);
    expect(verdict).toMatchObject({ kind: 'refused', refusal: { code } });
  });

  it('covers the whole catalogue', () => {
    expect([...new Set(cases.map((c) => c[3]))].sort()).toEqual([...REFUSAL_CODES].sort());
  });

  it('an edit refused writes nothing and emits nothing', () => {
    expect(given().when(edit(alice, { amount_usd: 300 }, { verdict: 'block', reviewerRole: null, decidedBy: 'x' }))).not.toHaveProperty('changes');
  });
});

describe('a review command that is decided', () => {
  const decided = (state: Partial<Review>, command: ReviewCommand) => {
    const verdict = given(state).when(command);
    if (verdict.kind !== 'decided') throw new Error(`refused: ${verdict.refusal.code}`);
    return verdict;
  };
  const kinds = (d: Decided) => d.changes.map((c) => c.kind);
  const types = (d: Decided) => d.events.map((e) => e.type);

  const cases: [string, Partial<Review>, ReviewCommand, Decided['status'], Decided['changes'][number]['kind'][], string[], string[]][] = [
    [
      'an approval: a vote that resolves it',
      {},
      approve(alice, { chosenOption: 'refund' }),
      'approved',
      ['vote', 'finish'],
      ['hitl.approval.resolved.v1'],
      ['alice'],
    ],
    ['the first of two approvals: a vote, and it waits', { requiredApprovals: 2 }, approve(alice), 'awaiting_approvals', ['vote'], [], ['alice']],
    [
      'the second of two: resolved by both',
      { requiredApprovals: 2, approvedBy: ['alice'] },
      approve(bob),
      'approved',
      ['vote', 'finish'],
      ['hitl.approval.resolved.v1'],
      ['alice', 'bob'],
    ],
    ['a denial', {}, deny(bob), 'denied', ['finish'], ['hitl.approval.resolved.v1'], []],
    [
      'an edit then approval',
      {},
      edit(alice, { ...parameters, amount_usd: 80 }),
      'approved',
      ['edit', 'vote', 'finish'],
      ['hitl.approval.resolved.v1'],
      ['alice'],
    ],
    [
      'an edit of a two-person approval: earlier votes no longer count',
      { requiredApprovals: 2, approvedBy: ['bob'] },
      edit(alice, { ...parameters, amount_usd: 80 }),
      'awaiting_approvals',
      ['edit', 'vote'],
      [],
      ['alice'],
    ],
    [
      'an edit that changes nothing keeps earlier votes',
      { requiredApprovals: 2, approvedBy: ['bob'] },
      edit(alice, parameters),
      'approved',
      ['edit', 'vote', 'finish'],
      ['hitl.approval.resolved.v1'],
      ['bob', 'alice'],
    ],
    [
      'a post-review confirmed: the agent, the audit and the calibrator learn it stands',
      { route: 'post_review' },
      approve(alice),
      'reviewed',
      ['finish'],
      ['hitl.approval.reviewed.v1'],
      ['alice'],
    ],
    ['a question to the agent', {}, clarify(alice), 'clarifying', ['pause', 'ask'], ['hitl.approval.clarification_requested.v1'], []],
    ['a rollback inside the window', { route: 'post_review' }, rollback(dan), 'rolled_back', ['finish'], ['hitl.approval.rolled_back.v1'], []],
  ];

  it.each(cases)('%s', (_name, state, command, status, changes, events, approvers) => {
    const d = decided(state, command);
    expect(d.status).toBe(status);
    expect(kinds(d)).toEqual(changes);
    expect(types(d)).toEqual(events);
    expect(d.review.approvedBy).toEqual(approvers);
  });

  it('an approval publishes the router’s reasons, then each approver, with the option chosen', () => {
    const d = decided({ requiredApprovals: 2, approvedBy: ['alice'] }, approve(bob, { notes: 'receipt checked', chosenOption: 'refund' }));
    expect(d.events[0]).toMatchObject({
      subject: 'd-1',
      workspaceid: 'acme',
      source: 'hitl/escalation',
      time: now.toISOString(),
      data: {
        status: 'approved',
        resolved_by: { kind: 'reviewer', id: 'bob' },
        reasons: [...request.reasons, { rule: 'reviewer_approved', detail: 'approved by alice' }, { rule: 'reviewer_approved', detail: 'approved by bob' }],
        notes: 'receipt checked',
        chosen_option: 'refund',
        payload_hash: hash,
        edited: false,
      },
    });
  });

  it('an edit publishes the edited payload, and says the policy re-ran', () => {
    const edited = { ...parameters, amount_usd: 80 };
    const d = decided({}, edit(alice, edited));
    expect(d.changes[0]).toEqual({ kind: 'edit', parameters: edited, payloadHash: payloadHash('process_refund', edited) });
    expect(d.changes[1]).toEqual({ kind: 'vote', reviewerId: 'alice', onBehalfOf: 'customer:c-1', payloadHash: payloadHash('process_refund', edited) });
    expect(d.events[0].data).toMatchObject({
      edited: true,
      parameters: edited,
      payload_hash: payloadHash('process_refund', edited),
      reasons: expect.arrayContaining([expect.objectContaining({ rule: 'reviewer_edited' })]),
    });
  });

  it('a denial keeps the reason', () => {
    const d = decided({}, { act: 'deny', by: bob, reason: 'duplicate of ORD-1', notes: 'seen before' });
    expect(d.changes).toEqual([
      {
        kind: 'finish',
        status: 'denied',
        resolution: {
          status: 'denied',
          resolvedBy: { kind: 'reviewer', id: 'bob' },
          reasons: [{ rule: 'reviewer_denied', detail: 'denied by bob: duplicate of ORD-1' }],
          notes: 'seen before',
          chosenOption: null,
        },
      },
    ]);
  });

  it('a question pauses both clocks with what they had left, until the clarification limit', () => {
    const d = decided({}, clarify(alice));
    expect(d.changes).toEqual([
      { kind: 'pause', paused: { slaMs: 1_800_000, expiryMs: 900_000 }, until: at(3600) },
      { kind: 'ask', clarification: { clarificationId: 'c-1', question: 'which card?', requestedBy: 'alice', requestedAt: now } },
    ]);
    expect(d.events[0].data).toEqual({ decision_id: 'd-1', approval_id: 'a-1', clarification_id: 'c-1', requested_by: 'alice', question: 'which card?' });
  });

  it('a post-review confirmation is stored as reviewed, by whom', () => {
    expect(decided({ route: 'post_review' }, approve(alice, { notes: 'fine' })).changes).toEqual([
      { kind: 'finish', status: 'reviewed', resolution: { reviewed_by: 'alice', notes: 'fine' } },
    ]);
  });

  it('a rollback tells the agent who and why, and what ran, so it can undo exactly that', () => {
    const ran = review({ route: 'post_review' });
    expect(decided({ route: 'post_review' }, rollback(dan)).events[0].data).toEqual({
      decision_id: 'd-1',
      approval_id: 'a-1',
      rolled_back_by: 'dan',
      reason: 'charged twice',
      agent_id: ran.request.decision.agent.id,
      action: ran.action,
      parameters: ran.parameters,
      payload_hash: ran.payloadHash,
    });
  });
});

describe('an edit that needs a higher tier goes to that tier instead of being approved', () => {
  const desk = [
    { id: 'dan', roles: ['finance_lead'], workspaces: ['acme'], available: true, capacity: null, pending: 2 },
    { id: 'fay', roles: ['finance_lead'], workspaces: ['acme'], available: true, capacity: null, pending: 0 },
  ];
  // The refund of $80 a support agent holds, edited to $1,000,000: the policy re-run says a finance lead decides.
  const million = { ...parameters, amount_usd: 1_000_000 };
  const needsFinance: Reroute = { verdict: 'escalate', reviewerRole: 'finance_lead', decidedBy: 'parameters.amount_usd is 1000000 (rule: gt 5000)' };
  const held = { parameters: { ...parameters, amount_usd: 80 }, payloadHash: payloadHash('process_refund', { ...parameters, amount_usd: 80 }) };
  const editTo = (by: Actor, edited: Record<string, unknown>, reroute: Reroute): ReviewCommand => ({
    act: 'edit',
    by,
    shownPayloadHash: held.payloadHash,
    parameters: edited,
    reroute,
    candidates: desk,
    notes: null,
    chosenOption: null,
  });

  it.each<[string, Actor, Reroute, string]>([
    ['the support agent holding it: moved to the finance leads, not approved', alice, needsFinance, 'escalated'],
    ['a finance lead: approved', dan, needsFinance, 'approved'],
    ['an edit that stays at the support agent’s tier: approved', alice, stays, 'approved'],
  ])('%s', (_name, by, reroute, status) => {
    const verdict = given(held).when(editTo(by, million, reroute)) as Decided;
    expect(verdict.kind).toBe('decided');
    expect(verdict.status).toBe(status);
  });

  it('the move: the edit stands, no vote counts, the least-loaded finance lead gets it with the tier’s deadline, an escalated event says why', () => {
    const verdict = given(held).when(editTo(alice, million, needsFinance)) as Decided;
    const newHash = payloadHash('process_refund', million);
    expect(verdict.changes).toEqual([
      { kind: 'edit', parameters: million, payloadHash: newHash },
      // 900 s left before expiry and the last tier: all of it (the SLA is an hour).
      { kind: 'move', tier: 1, role: 'finance_lead', reviewerId: 'fay', slaDeadline: at(900) },
    ]);
    expect(verdict.review).toMatchObject({ tier: 1, assignee: 'fay', approvedBy: [], edited: true, payloadHash: newHash, status: 'pending' });
    expect(verdict.events).toHaveLength(1);
    expect(verdict.events[0]).toMatchObject({
      type: 'hitl.approval.escalated.v1',
      data: { tier: 1, reviewer_role: 'finance_lead', reviewer_id: 'fay', from_role: 'support_agent', sla_deadline: at(900).toISOString() },
    });
    expect(verdict.events[0].data).toHaveProperty(
      'reason',
      'edited by alice; the edited parameters need a finance_lead (parameters.amount_usd is 1000000 (rule: gt 5000))',
    );
  });

  it('a finance lead may then approve the edited payload; the support agent may not', () => {
    const moved = (given(held).when(editTo(alice, million, needsFinance)) as Decided).review;
    const newHash = payloadHash('process_refund', million);
    expect(decideReview(moved, approve(alice, { shownPayloadHash: newHash }), now)).toMatchObject({ kind: 'refused', refusal: { code: 'wrong_role' } });
    expect(decideReview(moved, approve(dan, { shownPayloadHash: newHash }), now)).toMatchObject({ kind: 'decided', status: 'approved' });
  });
});

describe('the repair loop: parameters that fail the schema reach a person, who edits them or denies', () => {
  const typeError = { field: 'parameters.amount_usd', rule: 'type', message: 'must be number' };
  const attempts = (last: (typeof typeError)[]) => [
    { decision_id: 'd-0', attempt: 1, parameters, errors: [typeError] },
    { decision_id: 'd-1', attempt: 2, parameters, errors: last },
  ];
  const failing = { decisionId: 'd-1', request: { ...request, repair_attempts: attempts([typeError]) } };

  it.each<[string, Partial<Review>, ReviewCommand, string]>([
    ['approving them unchanged is refused', failing, approve(alice), 'refused parameters_invalid'],
    ['denying them is decided', failing, deny(alice), 'decided denied'],
    ['an edit the policy accepts is approved', failing, edit(alice, { ...parameters, amount_usd: 80 }), 'decided approved'],
    [
      'after such an edit another reviewer may approve',
      { ...failing, edited: true, requiredApprovals: 2, approvedBy: ['bob'] },
      approve(alice),
      'decided approved',
    ],
    [
      'a repair that fixed them is approved as any proposal',
      { decisionId: 'd-1', request: { ...request, repair_attempts: attempts([]) } },
      approve(alice),
      'decided approved',
    ],
  ])('%s', (_name, state, command, expected) => {
    const verdict = given(state).when(command);
    expect(verdict.kind === 'refused' ? `refused ${verdict.refusal.code}` : `decided ${verdict.status}`).toBe(expected);
  });

  it('says what fails and what to do', () => {
    const verdict = given(failing).when(approve(alice));
    expect(verdict).toEqual({
      kind: 'refused',
      refusal: {
        status: 422,
        code: 'parameters_invalid',
        message: "the parameters fail the action's schema (parameters.amount_usd must be number); edit them into valid parameters, or deny",
      },
    });
  });
});
