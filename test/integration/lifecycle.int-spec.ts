// End to end across the four services on the real broker and database: an agent proposes
// through the SDK, a reviewer edits and approves through the API, the agent's guard runs
// with the edited parameters, the outcome is labeled, the audit shows every step with a
// verifying chain, and the calibrator counts it. A second decision times out: expired. A
// third runs at once and nobody reviews it after the fact: it ends unreviewed.
import { randomUUID } from 'node:crypto';
import { HitlAgent } from '@hitl/agent-sdk';
import { DecisionProposedData } from '@hitl/contracts';
import { Stack, TOKENS } from './support/stack';

// Goodwill credits time out after 4 s in this run, and a cancelled subscription can be
// rolled back (so is reviewed after the fact) for 4 s, so the timeout paths take seconds.
const stack = new Stack((manifest) =>
  manifest
    .replace('  issue_goodwill_credit:\n    severity: medium\n', '  issue_goodwill_credit:\n    severity: medium\n    approval_timeout_seconds: 4\n')
    .replace(
      '  cancel_subscription:\n    severity: high\n    reversible: true\n    rollback_window_seconds: 3600\n',
      '  cancel_subscription:\n    severity: high\n    reversible: true\n    rollback_window_seconds: 4\n',
    ),
);
let agent: HitlAgent;

function decision(action: string, parameters: Record<string, unknown>): DecisionProposedData {
  return {
    decision_id: randomUUID(),
    agent: { id: 'refund-bot', model: 'e2e' },
    on_behalf_of: 'customer:c-42',
    action,
    parameters,
    confidence: 0.9,
    confidence_basis: 'the damage photo matches the order',
    uncertainty_factors: [],
    recommended_review: false,
    summary: `Refund customer c-42 (${action}).`,
    context: { situation: 'The blender arrived cracked.' },
  };
}

beforeAll(async () => {
  await stack.start();
  agent = await stack.agent('e2e-agent');
  await agent.start();
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await stack.stop();
});

describe('a decision through every service', () => {
  it('goes to review, is edited and approved, runs with the edited parameters, is audited and calibrated', async () => {
    const refund = decision('process_refund', { order_id: 'ORD-E2E', amount_usd: 120 });
    const outcome = agent.propose(refund, { timeoutMs: 90_000 });

    // The reviewer finds it in her inbox (the router sent it to human review; escalation assigned it).
    const item = await stack.eventually('the approval in the support agent inbox', async () => {
      const inbox = await stack.call('escalation', 'GET', '/approvals', TOKENS.alice);
      return (inbox.json.items as { decision_id: string; approval_id: string; payload_hash: string }[] | undefined)?.find(
        (i) => i.decision_id === refund.decision_id,
      );
    });
    const edited = { order_id: 'ORD-E2E', amount_usd: 100 };
    const decided = await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/edit`, TOKENS.alice, {
      payload_hash: item.payload_hash,
      parameters: edited,
      notes: 'partial refund',
    });
    expect(decided).toMatchObject({ status: 200, json: { status: 'approved' } });

    // The agent gets the resolution, and its guard runs with the edited parameters.
    const resolution = await outcome;
    expect(resolution).toMatchObject({ status: 'approved', edited: true, parameters: edited, resolved_by: { kind: 'reviewer', id: 'rev-alice' } });
    let ranWith: Record<string, unknown> | undefined;
    const result = await agent.guard(resolution, async (parameters) => {
      ranWith = parameters;
      return { refund_id: 're_e2e' };
    });
    expect(ranWith).toEqual(edited);
    expect(result).toEqual({ refund_id: 're_e2e' });
    await agent.labelOutcome(refund.decision_id, true, { source: 'reviewer_audit', labeledBy: 'rev-alice' });

    // The audit shows every step, in order, and its chain verifies.
    const timeline = await stack.eventually('every step in the audit timeline', async () => {
      const answer = await stack.call('audit', 'GET', `/audit/decisions/${refund.decision_id}/timeline`, TOKENS.compliance);
      const types: string[] = (answer.json.steps ?? []).map((s: { type: string }) => s.type);
      const wanted = [
        'hitl.decision.proposed.v1',
        'hitl.approval.requested.v1',
        'hitl.approval.assigned.v1',
        'hitl.approval.resolved.v1',
        'hitl.action.executed.v1',
        'hitl.outcome.labeled.v1',
      ];
      return wanted.every((t) => types.includes(t)) ? types : undefined;
    });
    expect(timeline.indexOf('hitl.decision.proposed.v1')).toBeLessThan(timeline.indexOf('hitl.approval.resolved.v1'));
    expect(timeline.indexOf('hitl.approval.resolved.v1')).toBeLessThan(timeline.indexOf('hitl.action.executed.v1'));
    const verified = await stack.call('audit', 'GET', '/audit/verify?workspace=acme-support', TOKENS.compliance);
    expect(JSON.stringify(verified.json)).toContain('"ok":true');
    expect(JSON.stringify(verified.json)).not.toContain('"ok":false');

    // The calibrator's report counts it.
    const report = await stack.eventually('the calibration report counting the decision', async () => {
      const answer = await stack.call('calibrator', 'POST', '/reports', TOKENS.compliance, { window_days: 1, workspace: 'acme-support' });
      const refunds = (answer.json.reports ?? []).find(
        (r: { action: string; agent_id: string | null }) => r.action === 'process_refund' && r.agent_id === null,
      );
      return refunds && refunds.n >= 1 ? refunds : undefined;
    });
    expect(report.n).toBe(1);
    expect(report.accuracy).toBe(1);
  });

  it('a decision nobody decides in time: the agent sees expired', async () => {
    const credit = decision('issue_goodwill_credit', { customer_id: 'c-42', amount_usd: 100 });
    const resolution = await agent.propose(credit, { timeoutMs: 60_000 });
    expect(resolution).toMatchObject({ status: 'expired', resolved_by: { kind: 'timeout' } });
    await expect(agent.guard(resolution, async () => 'must not run')).rejects.toThrow();
  });

  it('an action reviewed after the fact that nobody reviews: unreviewed, on the topic, the audit timeline and the calibrator, never as correct', async () => {
    const cancel = decision('cancel_subscription', { subscription_id: 'sub-e2e' });
    // review_after: the policy approves it at once, and a support agent is asked to review it after the fact.
    const resolution = await agent.propose(cancel, { timeoutMs: 60_000 });
    expect(resolution).toMatchObject({ status: 'approved', resolved_by: { kind: 'policy' } });

    // Its 4 s window closes with nobody looking: it ends unreviewed, and the audit timeline says so.
    const steps = await stack.eventually('the post-review ending unreviewed in the audit timeline', async () => {
      const answer = await stack.call('audit', 'GET', `/audit/decisions/${cancel.decision_id}/timeline`, TOKENS.compliance);
      const all: { type: string; step: string; summary: string; data?: Record<string, unknown> }[] = answer.json.steps ?? [];
      return all.some((s) => s.type === 'hitl.approval.unreviewed.v1') ? all : undefined;
    });
    const types = steps.map((s) => s.type);
    expect(types).toEqual(expect.arrayContaining(['hitl.approval.requested.v1', 'hitl.approval.assigned.v1', 'hitl.approval.unreviewed.v1']));
    const ending = steps.find((s) => s.type === 'hitl.approval.unreviewed.v1')!;
    expect(ending.summary).toContain('review window closed');
    // The decision was resolved once, by the policy, before the action ran: the window closing resolves nothing.
    expect(types.filter((t) => t === 'hitl.approval.resolved.v1')).toHaveLength(1);

    // The calibrator counts it as not reviewed.
    const counted = await stack.eventually('the calibrator counting the unreviewed post-review', async () => {
      const answer = await stack.call('calibrator', 'POST', '/reports', TOKENS.compliance, { window_days: 1, workspace: 'acme-support' });
      const line = (answer.json.post_reviews?.actions ?? []).find((a: { action: string }) => a.action === 'cancel_subscription');
      return line && line.unreviewed_window_closed >= 1 ? { line, reports: answer.json.reports } : undefined;
    });
    expect(counted.line).toMatchObject({
      post_reviews_requested: 1,
      reviewed: 0,
      rolled_back: 0,
      unreviewed_window_closed: 1,
      not_queued_no_capacity: 0,
      open: 0,
    });
    // Not reviewed is no label: the action has no labeled outcome, so nothing counts it correct.
    const cancels = (counted.reports ?? []).find((r: { action: string; agent_id: string | null }) => r.action === 'cancel_subscription' && r.agent_id === null);
    expect(cancels?.n ?? 0).toBe(0);
  });
});
