import { recordOf, signatureRecord } from '@hitl/audit-trail';
import { AnyEvent, EventType, exampleEvent } from '@hitl/contracts';
import { EventRow, viewOf } from './event-view';
import { resolutionOf } from './query.service';
import { describeRow, statusOf } from './timeline';

const row = (type: EventType, change: (event: AnyEvent) => void = () => undefined) => {
  const event = exampleEvent(type) as AnyEvent;
  change(event);
  return recordOf(event, () => ['parameters.card_number']);
};

describe("a decision's steps in words", () => {
  it.each<[EventType, string, RegExp]>([
    ['hitl.decision.proposed.v1', 'proposed', /^proposed by agent refund-bot: process_refund, confidence 0\.82: "Refund \$129\.50/],
    [
      'hitl.approval.requested.v1',
      'routed',
      /^routed to human_review by manifest sha256:3f1a9c: confidence_below_auto_approve \(confidence 0\.82 is below the auto-approve threshold 0\.97\); waits for support_agent/,
    ],
    ['hitl.approval.assigned.v1', 'assigned', /^assigned to rev-alice \(support_agent, tier 0\), SLA 2026-11-22T10:00:00Z$/],
    ['hitl.approval.reassigned.v1', 'reassigned', /^reassigned from rev-alice to rev-bob: SLA of 60 minutes ran out$/],
    ['hitl.approval.escalated.v1', 'escalated', /^escalated from support_agent to the finance_lead queue, tier 1: no support_agent decided within the SLA$/],
    ['hitl.approval.clarification_requested.v1', 'clarification_requested', /^rev-alice asked: "Was the item returned\?"$/],
    ['hitl.approval.clarification_provided.v1', 'clarified', /^refund-bot answered: "No, the customer was told to keep it\."$/],
    ['hitl.approval.rolled_back.v1', 'rolled_back', /^rolled back by rev-alice: wrong order refunded$/],
    ['hitl.approval.reviewed.v1', 'reviewed', /^reviewed by rev-alice: the action stands; notes: "looks right"$/],
    [
      'hitl.approval.unreviewed.v1',
      'unreviewed',
      /^ended unreviewed: nobody reviewed it within its 3600 s review window \(review window closed; support_agent queue\)$/,
    ],
    ['hitl.approval.opened.v1', 'opened', /^opened by rev-alice$/],
    [
      'hitl.approval.canary_scored.v1',
      'canary_scored',
      /^canary \(a known-answer item, never executed\): expected deny; rev-alice answered approve: wrong \(the refund is larger than the order was charged\)$/,
    ],
    ['hitl.approval.resolved.v1', 'resolved', /^approved by reviewer rev-alice: reviewer_approved \(approved by rev-alice\); chose refund$/],
    ['hitl.action.executed.v1', 'executed', /^executed process_refund: succeeded in 412 ms$/],
    ['hitl.outcome.labeled.v1', 'labeled', /^labeled correct by rev-carol \(reviewer_audit\)$/],
  ])('%s: %s', (type, step, summary) => {
    expect(describeRow(row(type))).toEqual({ step, summary: expect.stringMatching(summary) });
  });

  it('says who denied and why, with their notes', () => {
    const denied = row('hitl.approval.resolved.v1', (e) => {
      if (e.type !== 'hitl.approval.resolved.v1') return;
      Object.assign(e.data, {
        status: 'denied',
        reasons: [{ rule: 'reviewer_denied', detail: 'duplicate of ORD-10400' }],
        notes: 'customer already refunded',
        chosen_option: null,
      });
    });
    expect(describeRow(denied).summary).toBe('denied by reviewer rev-alice: reviewer_denied (duplicate of ORD-10400); notes: "customer already refunded"');
  });

  it('says when a timeout resolved it', () => {
    const expired = row('hitl.approval.resolved.v1', (e) => {
      if (e.type !== 'hitl.approval.resolved.v1') return;
      Object.assign(e.data, { status: 'expired', resolved_by: { kind: 'timeout', id: 'sla' }, reasons: [], chosen_option: null });
    });
    expect(describeRow(expired).summary).toBe('expired by timeout sla: no reason given');
  });

  it.each<[string, EventType, (e: AnyEvent) => void, string]>([
    [
      'a confirmation without notes',
      'hitl.approval.reviewed.v1',
      (e) => e.type === 'hitl.approval.reviewed.v1' && Object.assign(e.data, { notes: null }),
      'reviewed by rev-alice: the action stands',
    ],
    [
      'a post-review never queued',
      'hitl.approval.unreviewed.v1',
      (e) =>
        e.type === 'hitl.approval.unreviewed.v1' &&
        Object.assign(e.data, { reason: 'no_review_capacity', detail: 'the support_agent queue was full of work agents wait on' }),
      'ended unreviewed: the support_agent queue was full of work agents wait on (never queued: support_agent reviewers had no capacity left, sampling backed off)',
    ],
  ])('post-reviews: %s', (_name, type, change, summary) => {
    expect(describeRow(row(type, change)).summary).toBe(summary);
  });

  it('an unreviewed post-review never reads as reviewed or approved, nor as a reviewer’s act', () => {
    for (const reason of ['review_window_closed', 'no_review_capacity'] as const) {
      const record = row('hitl.approval.unreviewed.v1', (e) => e.type === 'hitl.approval.unreviewed.v1' && Object.assign(e.data, { reason }));
      expect(record.actor_kind).not.toBe('reviewer');
      expect(describeRow(record).summary).not.toMatch(/reviewed by|approved|confirmed/);
    }
  });

  it('says what failed', () => {
    const failed = row('hitl.action.executed.v1', (e) => {
      if (e.type === 'hitl.action.executed.v1') Object.assign(e.data, { succeeded: false, error: 'card declined', duration_ms: 80 });
    });
    expect(describeRow(failed).summary).toBe('executed process_refund: failed after 80 ms: card declined');
  });

  it.each([
    [true, null, /^undid process_refund after rev-dana rolled it back \(charged twice\): succeeded in 80 ms$/],
    [false, 'refund already reversed', /^undoing process_refund after rev-dana rolled it back \(charged twice\) failed after 80 ms: refund already reversed$/],
  ])('an undo after a rollback is its own step, the compensation (succeeded: %s)', (succeeded, error, summary) => {
    const undo = row('hitl.action.executed.v1', (e) => {
      if (e.type === 'hitl.action.executed.v1')
        Object.assign(e.data, {
          succeeded,
          error,
          duration_ms: 80,
          compensation: { approval_id: '7d4f8e6a-3b2c-4e1d-9a8b-1c2d3e4f5a6b', rolled_back_by: 'rev-dana', reason: 'charged twice' },
        });
    });
    expect(describeRow(undo)).toMatchObject({ step: 'compensated', summary: expect.stringMatching(summary) });
  });

  it('never puts a redacted value in words', () => {
    const proposed = row('hitl.decision.proposed.v1', (e) => {
      if (e.type === 'hitl.decision.proposed.v1') e.data.parameters.card_number = '4242424242424242';
    });
    expect(JSON.stringify([describeRow(proposed), proposed])).not.toContain('4242424242424242');
  });

  it('describes dead letters and retention records', () => {
    expect(
      describeRow({
        type: 'hitl.dead_letter',
        actor_kind: 'system',
        actor_id: 'hitl-router',
        action: null,
        event: { error_code: 'invalid_data', from_topic: 'decision.proposed' },
      }),
    ).toEqual({
      step: 'dead_letter',
      summary: 'dead letter: hitl-router could not read a message from decision.proposed (invalid_data)',
    });
    expect(
      describeRow({
        type: 'hitl.audit.retention.v1',
        actor_kind: 'system',
        actor_id: 'hitl/audit-retention',
        action: null,
        event: { removed_count: 12, removed_through_chain_index: 12, older_than: '2025-11-22T00:00:00.000Z' },
      }),
    ).toEqual({ step: 'retention', summary: 'retention removed 12 rows through chain index 12 (recorded before 2025-11-22T00:00:00.000Z)' });
  });
});

describe('events whose signature was refused', () => {
  const refusedRow = (type: EventType, refusal = 'unsigned: hitl.approval.resolved.v1 must be signed (sigkid, sig)') => {
    const [code, ...reason] = refusal.split(': ');
    return recordOf(exampleEvent(type) as AnyEvent, () => [], signatureRecord({ ok: false, code: code as 'unsigned', reason: reason.join(': '), kid: null }));
  };

  it.each<[string, EventType]>([
    ['a forged approval', 'hitl.approval.resolved.v1'],
    ['a forged execution', 'hitl.action.executed.v1'],
    ['a forged label', 'hitl.outcome.labeled.v1'],
    ['a forged proposal', 'hitl.decision.proposed.v1'],
  ])('%s is a refused step, never what it claims', (_name, type) => {
    const described = describeRow(refusedRow(type));
    expect(described).toEqual({
      step: 'refused',
      summary: expect.stringMatching(/^refused, never acted on \(unsigned: .*must be signed \(sigkid, sig\)\): a hitl\.[a-z_.]+\.v1 claiming to come from /),
    });
    expect(described.summary).not.toMatch(/approved by|executed process_refund|labeled correct|proposed by/);
  });

  it.each<[boolean | null | undefined, string]>([
    [true, 'verified'],
    [false, 'refused'],
    [null, 'not_checked'],
    [undefined, 'not_checked'],
  ])('status of verified=%s: %s', (verified, status) => {
    expect(statusOf(verified)).toBe(status);
  });

  const asRow = (record: ReturnType<typeof recordOf>, seq: number): EventRow => ({
    ...record,
    seq: String(seq),
    chain_index: String(seq),
    occurred_at: new Date(record.occurred_at),
    occurred_key: record.occurred_at,
    recorded_at: new Date(record.occurred_at),
    prev_hash: 'p',
    hash: 'h',
  });

  it('the resolution is the first one that was not refused', () => {
    const forged = refusedRow('hitl.approval.resolved.v1');
    const wrongService = refusedRow(
      'hitl.approval.resolved.v1',
      'signature_invalid: a resolution by reviewer must be signed by the escalation service, not the router service',
    );
    const real = recordOf(
      { ...(exampleEvent('hitl.approval.resolved.v1') as AnyEvent), id: 'real' },
      () => [],
      signatureRecord({ ok: true, signer: { kind: 'service', service: 'escalation' }, kid: 'k' }),
    );
    const steps = [forged, wrongService, real].map((r, i) => viewOf(asRow(r, i + 1)));
    expect(steps.map((s) => [s.step, s.status, s.actor.kind])).toEqual([
      ['refused', 'refused', 'unverified'],
      ['refused', 'refused', 'unverified'],
      ['resolved', 'verified', 'reviewer'],
    ]);
    expect(resolutionOf(steps)).toEqual({
      event_id: 'real',
      status: 'approved',
      resolved_by: { kind: 'reviewer', id: 'rev-alice' },
      signer: 'service:escalation',
      summary: expect.stringMatching(/^approved by reviewer rev-alice/),
    });
    expect(resolutionOf(steps.slice(0, 2))).toBeNull();
  });
});
