// Which canary (if any) a real approval brings into its queue, built as the router would have
// requested it: same look, same fields, fresh ids, routed by the manifest in force. Pure.
import { bringsCanary, canaryIndex } from '@hitl/approvals';
import { ApprovalRequestedData, DecisionProposedData, payloadHash } from '@hitl/contracts';
import { Manifest, route } from '@hitl/policy';
import { ApprovalRow, NewApproval } from '../approval-store/approval-store.repository';
import { newApprovalOf } from './new-approval';

/**
 * The canary a real blocking approval brings, or null: with the manifest's `canaries.rate`
 * (drawn from the approval's id, so any replica and any redelivery agree), one of the items
 * the manifest would send to the same role first, proposed as if by the same agent. A canary
 * never brings another, and a post-review never brings one.
 */
export function canaryFor(real: ApprovalRow, role: string, manifest: Manifest, ids: { approvalId: string; decisionId: string }, now: Date): NewApproval | null {
  const canaries = manifest.canaries;
  if (!canaries || real.canary !== null || real.route === 'post_review' || !bringsCanary(real.approval_id, canaries.rate)) return null;
  // Each item as the router would request it; only those the manifest sends to this role first can sit in this queue.
  const requests = canaries.items.flatMap((item, index) => {
    const decision: DecisionProposedData = {
      decision_id: ids.decisionId,
      agent: real.request.decision.agent,
      action: item.action,
      parameters: item.parameters,
      confidence: item.confidence,
      confidence_basis: item.confidence_basis ?? '',
      uncertainty_factors: [],
      recommended_review: false,
      summary: item.summary,
    };
    const routed = route(decision, manifest, now);
    const plan = routed.approval;
    if (!plan || plan.reviewer_role !== role) return [];
    const { tier_deadlines: _deadlines, urgency: _urgency, ...fields } = plan;
    const request: ApprovalRequestedData = {
      ...fields,
      approval_id: ids.approvalId,
      decision_id: ids.decisionId,
      reasons: routed.reasons,
      manifest_version: routed.manifestVersion,
      decision,
      payload_hash: payloadHash(item.action, item.parameters),
    };
    return [{ request, index, item }];
  });
  const chosen = requests[canaryIndex(real.approval_id, requests.length)];
  if (!chosen) return null;
  return {
    ...newApprovalOf(chosen.request, real.workspace, manifest.actions.get(chosen.item.action), now),
    canary: { expected: chosen.item.expected, why: chosen.item.why, item: chosen.index },
  };
}
