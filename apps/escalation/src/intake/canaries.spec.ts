import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bringsCanary } from '@hitl/approvals';
import { payloadHash } from '@hitl/contracts';
import { loadManifest } from '@hitl/policy';
import { approvalRow } from '../../test/support/approval-row';
import { canaryFor } from './canaries';

const refunds = readFileSync(join(__dirname, '../../../../manifests/refunds.yaml'), 'utf8');
const CANARIES = `canaries:
  rate: 0.2
  items:
    - action: process_refund
      parameters: { order_id: ORD-90001, amount_usd: 4800 }
      confidence: 0.72
      summary: Refund the full order, the customer says it never arrived.
      expected: deny
      why: the carrier shows it delivered with a signature
    - action: send_customer_email
      parameters: { to: a@example.com, subject: Hello, body: Hi }
      confidence: 0.7
      summary: Tell the customer about the refund.
      expected: approve
      why: a routine notice
`;
const manifest = loadManifest(`${refunds}\n${CANARIES}`);
const now = new Date('2026-11-22T09:00:00Z');
const ids = { approvalId: '7e2f0a1b-3c4d-4e5f-8a6b-7c8d9e0f1a2b', decisionId: '8f3a1b2c-4d5e-4f6a-9b7c-8d9e0f1a2b3c' };
/** Approval ids that bring a canary at 0.2, and one that does not. */
const candidates = Array.from({ length: 200 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const brings = candidates.find((id) => bringsCanary(id, 0.2))!;
const skips = candidates.find((id) => !bringsCanary(id, 0.2))!;

describe('the canary a real approval brings', () => {
  it.each<[string, Parameters<typeof canaryFor>, boolean]>([
    ['drawn for this approval, the role of an item: one', [approvalRow({ approval_id: brings }), 'support_agent', manifest, ids, now], true],
    ['not drawn for this approval', [approvalRow({ approval_id: skips }), 'support_agent', manifest, ids, now], false],
    ['no canaries in the manifest', [approvalRow({ approval_id: brings }), 'support_agent', loadManifest(refunds), ids, now], false],
    [
      'a rate of 0',
      [approvalRow({ approval_id: brings }), 'support_agent', loadManifest(`${refunds}\n${CANARIES.replace('rate: 0.2', 'rate: 0')}`), ids, now],
      false,
    ],
    ['a post-review', [approvalRow({ approval_id: brings, route: 'post_review' }), 'support_agent', manifest, ids, now], false],
    [
      'a canary brings none',
      [approvalRow({ approval_id: brings, canary: { expected: 'deny', why: 'x', item: 0 } }), 'support_agent', manifest, ids, now],
      false,
    ],
    ['a queue no item is routed to first', [approvalRow({ approval_id: brings }), 'finance_lead', manifest, ids, now], false],
  ])('%s', (_, args, expected) => {
    expect(canaryFor(...args) !== null).toBe(expected);
  });

  it('looks like what the router requests for such a proposal: fresh ids, the same agent, its own trace and clocks; marked with its answer', () => {
    const real = approvalRow({ approval_id: brings });
    const canary = canaryFor(real, 'support_agent', manifest, ids, now)!;
    const item = canary.canary!.item;
    expect(canary).toMatchObject({
      approval_id: ids.approvalId,
      decision_id: ids.decisionId,
      workspace: real.workspace,
      agent_id: real.agent_id,
      on_behalf_of: null,
      route: 'human_review',
      reviewer_role: 'support_agent',
      manifest_version: manifest.version,
      canary:
        item === 0
          ? { expected: 'deny', why: 'the carrier shows it delivered with a signature', item: 0 }
          : { expected: 'approve', why: 'a routine notice', item: 1 },
    });
    expect(canary.payload_hash).toBe(payloadHash(canary.action, canary.parameters));
    expect(canary.request.decision).toMatchObject({ decision_id: ids.decisionId, agent: real.request.decision.agent });
    expect(canary.request.reasons.length).toBeGreaterThan(0);
    // Nothing in what a reviewer is shown says canary.
    expect(JSON.stringify(canary.request)).not.toMatch(/canary|expected|carrier shows/i);
    // The same approval brings the same item on any replica.
    expect(canaryFor(real, 'support_agent', manifest, ids, now)!.canary).toEqual(canary.canary);
  });
});
