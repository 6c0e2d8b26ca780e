import type { Handback, Resolution } from '@hitl/agent-sdk';
import { z } from 'zod';
import {
  decisionOutcome,
  describeDecision,
  describeHandback,
  handbackOutcome,
  pendingDecision,
  pendingHandback,
  requestApprovalInput,
  toHumanRequest,
  toProposal,
  waitMs,
} from './outcome';

const DECISION = '6f1c2a9e-6a55-4d0b-9a43-2b0c8f9d1e01';
const HANDOFF = '0b5d1f0e-2c3a-4c8b-8e7d-9f1a2b3c4d5e';

const resolution = (fields: Partial<Resolution> = {}): Resolution => ({
  decision_id: DECISION,
  approval_id: null,
  status: 'approved',
  resolved_by: { kind: 'policy', id: 'refunds@1' },
  parameters: { order_id: 'ORD-1', amount_usd: 20 },
  edited: false,
  reasons: [{ rule: 'auto_approve', detail: 'below $50 at confidence 0.97' }],
  notes: null,
  chosen_option: null,
  manifest_version: '1',
  confidence: 0.97,
  action: 'process_refund',
  payload_hash: `sha256:${'a'.repeat(64)}`,
  ...fields,
});

describe('request_approval arguments', () => {
  const parse = (args: unknown) => z.object(requestApprovalInput).parse(args);

  it('become the SDK proposal: defaults filled, the wait left out, optional fields only when given', () => {
    const args = parse({
      action: 'process_refund',
      parameters: { order_id: 'ORD-1', amount_usd: 20 },
      confidence: 0.97,
      confidence_basis: 'matches the order history',
      summary: 'Refund $20 for ORD-1.',
      wait_seconds: 5,
    });
    expect(toProposal(args)).toEqual({
      action: 'process_refund',
      parameters: { order_id: 'ORD-1', amount_usd: 20 },
      confidence: 0.97,
      confidence_basis: 'matches the order history',
      uncertainty_factors: [],
      recommended_review: false,
      summary: 'Refund $20 for ORD-1.',
    });
    const full = parse({
      ...args,
      context: { situation: 'parcel broken' },
      urgency: 'high',
      on_behalf_of: 'customer:c-1',
      session_id: 'chat-1',
      decision_id: DECISION,
      uncertainty_factors: ['new customer'],
    });
    expect(toProposal(full)).toMatchObject({
      decision_id: DECISION,
      context: { situation: 'parcel broken' },
      urgency: 'high',
      on_behalf_of: 'customer:c-1',
      session_id: 'chat-1',
      uncertainty_factors: ['new customer'],
    });
    expect(toProposal(full)).not.toHaveProperty('wait_seconds');
  });

  it('refuse what the contract would refuse: confidence out of range, a blank action, a decision id that is no UUID', () => {
    const base = { action: 'process_refund', parameters: {}, confidence: 0.5, confidence_basis: '', summary: 's' };
    expect(() => parse({ ...base, confidence: 1.2 })).toThrow();
    expect(() => parse({ ...base, action: '  ' })).toThrow();
    expect(() => parse({ ...base, decision_id: 'ORD-1' })).toThrow();
  });

  it('map request_human arguments to the SDK request under the server’s handoff id', () => {
    expect(toHumanRequest({ session_id: 's-1', reason: 'asked for a person', transcript: [{ from: 'user', text: 'a human please' }] }, HANDOFF)).toEqual({
      handoff_id: HANDOFF,
      session_id: 's-1',
      reason: 'asked for a person',
      transcript: [{ from: 'user', text: 'a human please' }],
    });
  });

  it('wait as asked, within the server’s bounds', () => {
    const waits = { defaultMs: 60_000, maxMs: 900_000 };
    expect(waitMs(undefined, waits)).toBe(60_000);
    expect(waitMs(0, waits)).toBe(0);
    expect(waitMs(2.5, waits)).toBe(2_500);
    expect(waitMs(86_400, waits)).toBe(900_000);
  });
});

describe('what the client reads', () => {
  it('approved by policy: run it, with exactly these parameters', () => {
    const outcome = decisionOutcome(resolution(), 1_234);
    expect(outcome).toMatchObject({ status: 'approved', resolved_by: { kind: 'policy', id: 'refunds@1' }, edited: false, waited_seconds: 1.2 });
    const text = describeDecision(outcome);
    expect(text).toContain('APPROVED by policy (refunds@1)');
    expect(text).toContain('Run process_refund with exactly these parameters: {"order_id":"ORD-1","amount_usd":20}');
    expect(text).toContain('auto_approve (below $50 at confidence 0.97)');
  });

  it('approved by a person with edited parameters: the edited ones, said so', () => {
    const text = describeDecision(
      decisionOutcome(
        resolution({
          resolved_by: { kind: 'reviewer', id: 'rev-dana' },
          edited: true,
          parameters: { order_id: 'ORD-1', amount_usd: 300 },
          notes: 'partial refund',
        }),
        0,
      ),
    );
    expect(text).toContain('APPROVED by reviewer rev-dana, with edited parameters');
    expect(text).toContain('{"order_id":"ORD-1","amount_usd":300}');
    expect(text).toContain("Reviewer's notes: partial refund");
  });

  it('denied, blocked, expired: do not run it, and why', () => {
    const denied = describeDecision(
      decisionOutcome(
        resolution({ status: 'denied', resolved_by: { kind: 'reviewer', id: 'rev-alice' }, reasons: [{ rule: 'reviewer_denied', detail: 'not due' }] }),
        0,
      ),
    );
    expect(denied).toContain('DENIED by reviewer rev-alice. Do not run process_refund');
    expect(denied).toContain('reviewer_denied (not due)');
    const blocked = decisionOutcome(
      resolution({
        status: 'blocked',
        parameter_errors: [{ field: 'parameters.amount_usd', rule: 'type', message: 'must be number' }],
      }),
      0,
    );
    expect(blocked.parameter_errors).toEqual([{ field: 'parameters.amount_usd', rule: 'type', message: 'must be number' }]);
    expect(describeDecision(blocked)).toContain('Parameter errors: parameters.amount_usd: must be number');
    expect(describeDecision(decisionOutcome(resolution({ status: 'expired', resolved_by: { kind: 'timeout', id: 'sla' } }), 0))).toContain(
      'EXPIRED because no one decided in time',
    );
  });

  it('pending: the decision id to ask again with, and not to act meanwhile', () => {
    const outcome = pendingDecision(DECISION, 'process_refund', 3_000);
    expect(outcome).toEqual({ status: 'pending', decision_id: DECISION, action: 'process_refund', waited_seconds: 3 });
    expect(describeDecision(outcome)).toContain(`Do not run process_refund meanwhile. Call get_decision with decision_id "${DECISION}"`);
  });

  it('a handback: resume with the notes and the reply, or do not resume a closed session; pending names the handoff', () => {
    const handback: Handback = {
      handoff_id: HANDOFF,
      session_id: 's-1',
      resolution: 'handed_back',
      notes: 'refunded the shipping',
      reply: 'Done!',
      returned_by: 'rev-alice',
      checkpoint: { step: 2 },
    };
    const back = describeHandback(handbackOutcome(handback, 0));
    expect(back).toContain('rev-alice handed session s-1 back to you: resume it.');
    expect(back).toContain('refunded the shipping');
    expect(back).toContain('Done!');
    expect(back).toContain('{"step":2}');
    expect(describeHandback(handbackOutcome({ ...handback, resolution: 'closed', reply: null }, 0))).toContain('do not resume it');
    expect(describeHandback(pendingHandback(HANDOFF, 's-1', 0))).toContain(`get_handback with handoff_id "${HANDOFF}"`);
  });
});
