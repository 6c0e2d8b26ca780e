// Rollback end to end on the four services: an action that ran at once (review_after) is
// rolled back by a reviewer within its window; the agent's compensation handler undoes it
// once, and the undo is published and audited. After the window, a rollback is refused.
import { randomUUID } from 'node:crypto';
import { HitlAgent, RollbackRequest } from '@hitl/agent-sdk';
import { APPROVAL_ROLLED_BACK, AnyEvent, DecisionProposedData, newEvent, payloadHash } from '@hitl/contracts';
import { readWholeTopic, sendMessages, signed } from '@hitl/testing';
import { Stack, TOKENS, withShortRollbackAction } from './support/stack';

// cancel_subscription can be rolled back for two minutes; pause_subscription (added for this run) for 3 s.
const stack = new Stack((manifest) =>
  withShortRollbackAction(
    manifest.replace(
      '  cancel_subscription:\n    severity: high\n    reversible: true\n    rollback_window_seconds: 3600\n',
      '  cancel_subscription:\n    severity: high\n    reversible: true\n    rollback_window_seconds: 120\n',
    ),
  ),
);
let agent: HitlAgent;
const undone: RollbackRequest[] = [];

function decision(action: string, parameters: Record<string, unknown>): DecisionProposedData {
  return {
    decision_id: randomUUID(),
    agent: { id: 'refund-bot', model: 'e2e' },
    on_behalf_of: 'customer:c-77',
    action,
    parameters,
    confidence: 0.97,
    confidence_basis: 'the customer asked in writing',
    uncertainty_factors: [],
    recommended_review: false,
    summary: `${action} for customer c-77.`,
  };
}

beforeAll(async () => {
  await stack.start();
  agent = await stack.agent('e2e-rollback-agent');
  agent.onRollback(async (rollback) => {
    undone.push(rollback);
    return { restored_subscription: rollback.parameters.subscription_id };
  });
  await agent.start();
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await stack.stop();
});

/** Runs the action at once (the policy approves it), and finds the after-the-fact review a support agent got. */
async function ranAndQueuedForReview(action: string, subscriptionId: string) {
  const proposed = decision(action, { subscription_id: subscriptionId });
  const resolution = await agent.propose(proposed, { timeoutMs: 60_000 });
  expect(resolution).toMatchObject({ status: 'approved', resolved_by: { kind: 'policy' } });
  await agent.guard(resolution, async () => ({ cancelled: subscriptionId }));
  const review = await stack.eventually('the post-review in the support agents’ queue', async () => {
    const inbox = await stack.call('escalation', 'GET', '/approvals?queue=post_review&limit=200', TOKENS.alice);
    return (inbox.json.items as { decision_id: string; approval_id: string }[] | undefined)?.find((i) => i.decision_id === proposed.decision_id);
  });
  return { decisionId: proposed.decision_id, approvalId: review.approval_id };
}

describe('rolling back an action that ran', () => {
  it('within its window: the agent undoes it once, and the timeline shows approval, execution, rollback, compensation', async () => {
    const { decisionId, approvalId } = await ranAndQueuedForReview('cancel_subscription', 'sub-e2e-1');
    const rolledBack = await stack.call('escalation', 'POST', `/approvals/${approvalId}/rollback`, TOKENS.alice, {
      reason: 'the customer wrote back: keep it',
    });
    expect(rolledBack).toMatchObject({ status: 200, json: { status: 'rolled_back', rolled_back_by: 'rev-alice' } });

    const steps = await stack.eventually('the compensation in the audit timeline', async () => {
      const answer = await stack.call('audit', 'GET', `/audit/decisions/${decisionId}/timeline`, TOKENS.compliance);
      const all: { step: string; summary: string }[] = answer.json.steps ?? [];
      return all.some((s) => s.step === 'compensated') ? all : undefined;
    });
    const order = steps.map((s) => s.step).filter((s) => ['resolved', 'executed', 'rolled_back', 'compensated'].includes(s));
    expect(order).toEqual(['resolved', 'executed', 'rolled_back', 'compensated']);
    expect(steps.find((s) => s.step === 'compensated')!.summary).toContain(
      'undid cancel_subscription after rev-alice rolled it back (the customer wrote back: keep it): succeeded',
    );

    // The handler got what ran, and ran once.
    expect(undone.filter((u) => u.decision_id === decisionId)).toEqual([
      expect.objectContaining({
        approval_id: approvalId,
        action: 'cancel_subscription',
        parameters: { subscription_id: 'sub-e2e-1' },
        rolled_back_by: 'rev-alice',
        reason: 'the customer wrote back: keep it',
      }),
    ]);
    // A second rollback of the same approval is refused: there is one undo per action.
    const again = await stack.call('escalation', 'POST', `/approvals/${approvalId}/rollback`, TOKENS.alice, { reason: 'once more' });
    expect(again.status).toBe(409);
  });

  it('after its window: refused, and nothing is undone', async () => {
    const { decisionId, approvalId } = await ranAndQueuedForReview('pause_subscription', 'sub-e2e-2');
    // Its 3 s rollback window closes; the review itself is still open for ten minutes.
    await new Promise((r) => setTimeout(r, 4_000));
    const late = await stack.call('escalation', 'POST', `/approvals/${approvalId}/rollback`, TOKENS.alice, { reason: 'too late' });
    expect(late).toMatchObject({ status: 409, json: { code: 'rollback_window_closed' } });
    const detail = await stack.call('escalation', 'GET', `/approvals/${approvalId}`, TOKENS.alice);
    expect(detail.json.status).toBe('pending');
    expect(undone.some((u) => u.decision_id === decisionId)).toBe(false);
  });

  it('a forged rollback (unsigned, or signed by the router) is never undone: dead-lettered by the agent with its code', async () => {
    const decisionId = randomUUID();
    const rolledBack = {
      decision_id: decisionId,
      approval_id: randomUUID(),
      rolled_back_by: 'rev-alice',
      reason: 'an attacker on the topic',
      agent_id: 'refund-bot',
      action: 'cancel_subscription',
      parameters: { subscription_id: 'sub-forged' },
      payload_hash: payloadHash('cancel_subscription', { subscription_id: 'sub-forged' }),
    };
    const meta = { source: 'hitl/escalation', workspaceid: 'acme-support' };
    const forgeries = [newEvent(APPROVAL_ROLLED_BACK, rolledBack, meta), signed(newEvent(APPROVAL_ROLLED_BACK, rolledBack, meta) as AnyEvent, 'router')];
    await sendMessages(
      stack.kafka,
      forgeries.map((f) => ({ topic: `${stack.prefix}approval.updated`, key: decisionId, value: JSON.stringify(f) })),
    );
    const letters = await stack.eventually('both forgeries dead-lettered by the agent', async () => {
      const found = (await readWholeTopic(stack.kafka, `${stack.prefix}approval.updated.dlq`)).filter(
        (l) => String(l.headers?.['hitl-dlq-consumer']).includes('hitl-agent-refund-bot') && forgeries.some((f) => l.value!.toString() === JSON.stringify(f)),
      );
      return found.length >= 2 ? found : undefined;
    });
    expect(letters.map((l) => String(l.headers?.['hitl-dlq-error-code'])).sort()).toEqual(['signature_invalid', 'unsigned']);
    expect(undone.some((u) => u.decision_id === decisionId)).toBe(false);
  });
});
