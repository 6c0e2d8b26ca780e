import { DECISION_PROPOSED, assertValidEvent, exampleEvent, payloadHash } from '@hitl/contracts';
import { loadManifest, route } from '@hitl/policy';
import { invalidReason, outcomeEvents, outcomePlans, readableParts, rederivedOutcome } from './outcome-events';

const manifest = loadManifest(`
actions:
  process_refund:
    severity: high
    reversible: false
    approval_required: true
    escalation_path: [support_agent, finance_lead]
    conditions: { auto_approve_below_usd: 50, always_approve_above_usd: 500 }
  cancel_subscription: { severity: high, reversible: true, rollback_window_seconds: 600 }
`);
const now = new Date('2026-11-22T09:00:00Z');
let n = 0;
const ids = () => ({
  approvalId: '11111111-1111-4111-8111-111111111111',
  postReviewApprovalId: '22222222-2222-4222-8222-222222222222',
  eventIds: () => `33333333-3333-4333-8333-${String(++n).padStart(12, '0')}`,
});

function proposalWith(action: string, parameters: Record<string, unknown>, confidence: number) {
  const event = exampleEvent(DECISION_PROPOSED);
  Object.assign(event.data, { action, parameters, confidence, uncertainty_factors: [], recommended_review: false, context: {} });
  return event;
}

describe('the events one routed decision causes', () => {
  it.each([
    ['auto-approved by policy', 'process_refund', { order_id: 'A', amount_usd: 20 }, 0.9, ['hitl.approval.resolved.v1'], 'approved'],
    ['blocked by policy', 'wire_money', {}, 0.9, ['hitl.approval.resolved.v1'], 'blocked'],
    ['sent to a person', 'process_refund', { order_id: 'A', amount_usd: 120 }, 0.9, ['hitl.approval.requested.v1'], null],
    ['escalated', 'process_refund', { order_id: 'A', amount_usd: 120 }, 0.1, ['hitl.approval.requested.v1'], null],
    ['run now and reviewed after', 'cancel_subscription', { id: 's' }, 0.9, ['hitl.approval.resolved.v1', 'hitl.approval.requested.v1'], 'approved'],
  ])('%s', (_name, action, parameters, confidence, types, status) => {
    const proposal = proposalWith(action, parameters, confidence);
    const routing = route(proposal.data, manifest, now);
    const { events } = outcomeEvents(proposal, routing, ids(), now);
    expect(events.map((e) => e.type)).toEqual(types);
    for (const event of events) {
      expect(assertValidEvent(event)).toBe(event); // every event meets the contract
      expect(event).toMatchObject({ source: 'hitl/router', subject: proposal.subject, workspaceid: proposal.workspaceid, time: now.toISOString() });
      expect(event.data.payload_hash).toBe(payloadHash(action, parameters));
    }
    const resolved = events.find((e) => e.type === 'hitl.approval.resolved.v1');
    expect(resolved ? (resolved.data as { status: string }).status : null).toBe(status);
  });

  it('an unsigned proposal that policy would approve asks a person instead, with nothing resolved', () => {
    const proposal = proposalWith('process_refund', { order_id: 'A', amount_usd: 20 }, 0.9);
    const routing = route(proposal.data, manifest, now, { signed: false });
    const { events, approvalId, postReviewApprovalId } = outcomeEvents(proposal, routing, ids(), now);
    expect(events.map((e) => e.type)).toEqual(['hitl.approval.requested.v1']);
    expect(assertValidEvent(events[0])).toBe(events[0]);
    expect(events[0].data).toMatchObject({ route: 'human_review', reviewer_role: 'support_agent', escalation_path: ['support_agent', 'finance_lead'] });
    expect((events[0].data as { reasons: { rule: string }[] }).reasons.at(-1)!.rule).toBe('unsigned_agent');
    expect({ approvalId, postReviewApprovalId }).toEqual({ approvalId: '11111111-1111-4111-8111-111111111111', postReviewApprovalId: null });
  });

  it('a request carries the whole decision, the trace and the plan', () => {
    const proposal = proposalWith('process_refund', { order_id: 'A', amount_usd: 120 }, 0.1);
    const routing = route(proposal.data, manifest, now);
    const [request] = outcomeEvents(proposal, routing, ids(), now).events;
    expect(request.data).toMatchObject({
      approval_id: '11111111-1111-4111-8111-111111111111',
      route: 'escalate',
      reviewer_role: 'finance_lead',
      reasons: routing.reasons,
      manifest_version: manifest.version,
      decision: proposal.data,
    });
  });
});

describe('what can be read from a message that broke the contract', () => {
  it.each([
    ['nothing', null, { workspaceid: 'unknown', action: '', parameters: {}, confidence: 0 }],
    ['garbage', Buffer.from('{{{'), { workspaceid: 'unknown', action: '', parameters: {}, confidence: 0 }],
    [
      'a broken proposal',
      Buffer.from(JSON.stringify({ workspaceid: 'w1', data: { action: 'a', parameters: { x: 1 }, confidence: 7 } })),
      { workspaceid: 'w1', action: 'a', parameters: { x: 1 }, confidence: 0 },
    ],
    [
      'wrong types',
      Buffer.from(JSON.stringify({ workspaceid: 5, data: { action: 3, parameters: [1], confidence: 0.4 } })),
      { workspaceid: 'unknown', action: '', parameters: {}, confidence: 0.4 },
    ],
    [
      'text nobody can store (U+0000, a lone surrogate): left out of the answer',
      Buffer.from(JSON.stringify({ workspaceid: 'w\u0000', data: { action: 'a\ud800', parameters: { note: 'x\u0000' }, confidence: 0.5 } })),
      { workspaceid: 'unknown', action: '', parameters: {}, confidence: 0.5 },
    ],
  ])('%s', (_name, raw, expected) => {
    expect(readableParts(raw)).toEqual(expected);
  });
});

describe('why a refused proposal is blocked', () => {
  it.each([
    [
      'unsigned',
      { code: 'unsigned', message: 'hitl.decision.proposed.v1 must be signed (sigkid, sig)' },
      'signature',
      "the proposal's signature was refused (unsigned): hitl.decision.proposed.v1 must be signed (sigkid, sig)",
    ],
    [
      'signed by another',
      { code: 'signature_invalid', message: 'the proposal names agent "refund-bot" but is signed by agent "other-bot"' },
      'signature',
      `the proposal's signature was refused (signature_invalid): the proposal names agent "refund-bot" but is signed by agent "other-bot"`,
    ],
    [
      'breaking the contract',
      { code: 'invalid_data', message: 'data.confidence: too big' },
      'contract_violation',
      'the proposal breaks the wire contract (invalid_data): data.confidence: too big',
    ],
    [
      'holding U+0000',
      { code: 'unsupported_character', message: 'data.summary holds U+0000' },
      'contract_violation',
      'the proposal breaks the wire contract (unsupported_character): data.summary holds U+0000',
    ],
    [
      'refused by the database',
      { code: 'database_refused', message: 'PostgreSQL refused it (SQLSTATE 54000, program limit exceeded): index row size 9000 exceeds maximum 2712' },
      'unprocessable',
      'the proposal could not be processed (database_refused): PostgreSQL refused it (SQLSTATE 54000, program limit exceeded): index row size 9000 exceeds maximum 2712',
    ],
  ])('%s', (_name, violation, rule, detail) => {
    expect(invalidReason(violation)).toEqual({ rule, detail });
  });
});

/** process_refund with a parameters schema, for the repair loop. */
const repairing = loadManifest(`
actions:
  process_refund:
    severity: high
    reversible: false
    approval_required: true
    escalation_path: [support_agent, finance_lead]
    parameters_schema: { type: object, required: [order_id, amount_usd], properties: { amount_usd: { type: number } } }
    redact: [parameters.card_number]
`);

describe('the repair loop on the wire', () => {
  const typeError = { field: 'parameters.amount_usd', rule: 'type', message: 'must be number' };

  it('sent back: blocked by policy with the parameter_errors to correct', () => {
    const proposal = proposalWith('process_refund', { order_id: 'A', amount_usd: '20' }, 0.9);
    Object.assign(proposal.data, { repairable: true });
    const routing = route(proposal.data, repairing, now, { signed: true, repair: { earlier: [] } });
    const { events } = outcomeEvents(proposal, routing, ids(), now);
    expect(events.map((e) => e.type)).toEqual(['hitl.approval.resolved.v1']);
    expect(assertValidEvent(events[0])).toBe(events[0]);
    expect(events[0].data).toMatchObject({ status: 'blocked', resolved_by: { kind: 'policy' }, parameter_errors: [typeError] });
  });

  it('to a person: the request carries every attempt, masked, the last one the decision itself', () => {
    const proposal = proposalWith('process_refund', { order_id: 'A', amount_usd: 'twenty', card_number: '4111' }, 0.9);
    Object.assign(proposal.data, { repairable: true, repair_of: '44444444-4444-4444-8444-444444444444' });
    const earlier = [
      {
        decision_id: '55555555-5555-4555-8555-555555555555',
        attempt: 1,
        parameters: { order_id: 'A', amount_usd: '20', card_number: '4111' },
        errors: [typeError],
      },
      {
        decision_id: '44444444-4444-4444-8444-444444444444',
        attempt: 2,
        parameters: { order_id: 'A', amount_usd: '2O', card_number: '4111' },
        errors: [typeError],
      },
    ];
    const routing = route(proposal.data, repairing, now, { signed: true, repair: { earlier } });
    const { events } = outcomeEvents(proposal, routing, ids(), now);
    expect(events.map((e) => e.type)).toEqual(['hitl.approval.requested.v1']);
    expect(assertValidEvent(events[0])).toBe(events[0]);
    const data = events[0].data as { repair_attempts: { decision_id: string; attempt: number; parameters: Record<string, unknown> }[]; decision: unknown };
    expect(data.repair_attempts.map((a) => [a.attempt, a.decision_id, a.parameters.card_number])).toEqual([
      [1, earlier[0].decision_id, '[REDACTED]'],
      [2, earlier[1].decision_id, '[REDACTED]'],
      [3, proposal.data.decision_id, '[REDACTED]'],
    ]);
    expect(data.decision).toEqual(proposal.data);
  });

  it('anything else carries neither field', () => {
    const proposal = proposalWith('process_refund', { order_id: 'A', amount_usd: 120 }, 0.9);
    const { events } = outcomeEvents(proposal, route(proposal.data, repairing, now, { signed: true, repair: { earlier: [] } }), ids(), now);
    expect(events.map((e) => Object.keys(e.data).filter((k) => k === 'repair_attempts' || k === 'parameter_errors'))).toEqual([[]]);
  });
});

describe('a recorded decision emits the same events again', () => {
  // The row as PostgreSQL gives it back: jsonb columns through JSON, the time as a Date.
  const asStored = <T>(value: T): T => JSON.parse(JSON.stringify(value));

  it.each([
    ['auto-approved', manifest, 'process_refund', { order_id: 'A', amount_usd: 20 }, 0.9, {}, true],
    ['blocked', manifest, 'wire_money', {}, 0.9, {}, true],
    ['sent to a person', manifest, 'process_refund', { order_id: 'A', amount_usd: 120 }, 0.9, {}, true],
    ['escalated', manifest, 'process_refund', { order_id: 'A', amount_usd: 120 }, 0.1, {}, true],
    ['run now and reviewed after', manifest, 'cancel_subscription', { id: 's' }, 0.9, {}, true],
    ['sent back to repair', repairing, 'process_refund', { order_id: 'A', amount_usd: '20' }, 0.9, { repairable: true }, true],
    ['unsigned, to a person', manifest, 'process_refund', { order_id: 'A', amount_usd: 20 }, 0.9, {}, false],
  ] as [string, typeof manifest, string, Record<string, unknown>, number, Record<string, unknown>, boolean][])(
    '%s',
    (_name, policy, action, parameters, confidence, extra, signed) => {
      const proposal = proposalWith(action, { ...parameters }, confidence);
      Object.assign(proposal.data, extra);
      const routing = route(proposal.data, policy, now, { signed, repair: { earlier: [] } });
      const outcome = outcomeEvents(proposal, routing, ids(), now);
      const again = rederivedOutcome({
        workspace: proposal.workspaceid,
        decision: asStored(proposal.data),
        verdict: routing.verdict,
        reasons: asStored(routing.reasons),
        manifest_version: routing.manifestVersion,
        approval_id: outcome.approvalId,
        post_review_approval_id: outcome.postReviewApprovalId,
        outcome_plans: asStored(outcomePlans(routing)),
        outcome_event_ids: outcome.events.map((e) => e.id),
        routed_at: new Date(now),
      });
      expect(again).toEqual(outcome.events);
    },
  );

  it('a plain auto-approval keeps no plans; a row whose events went through the outbox gives none', () => {
    const proposal = proposalWith('process_refund', { order_id: 'A', amount_usd: 20 }, 0.9);
    const routing = route(proposal.data, manifest, now);
    expect(outcomePlans(routing)).toBeNull();
    const row = {
      workspace: proposal.workspaceid,
      decision: proposal.data,
      verdict: routing.verdict,
      reasons: routing.reasons,
      manifest_version: routing.manifestVersion,
      approval_id: null,
      post_review_approval_id: null,
      outcome_plans: null,
      routed_at: now,
    };
    expect(rederivedOutcome({ ...row, outcome_event_ids: null })).toBeNull();
    expect(rederivedOutcome({ ...row, decision: null, outcome_event_ids: ['33333333-3333-4333-8333-000000000001'] })).toBeNull();
    expect(() => rederivedOutcome({ ...row, outcome_event_ids: [] })).toThrow(/recorded 0 event ids/);
  });
});
