import { createHash, randomUUID } from 'node:crypto';
import { APPROVAL_RESOLVED, CloudEvent, DECISION_PROPOSED, newEvent } from '@hitl/contracts';
import { InvalidMessage, MessageContext } from '@hitl/messaging';
import { route } from '@hitl/policy';
import { ManifestStore, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { Logger } from 'pino';
import { NewDecision, findDecisions, recordDecision, recordDecisions } from './decisions.repository';
import { ROUTER_SOURCE, invalidReason, outcomeEvents, policyResolution, readableParts } from './outcome-events';
import { alertsRun, decisionsRouted } from './routing.metrics';

function contentHash(value: unknown): string {
  return createHash('sha256')
    .update(canonicalize(value) ?? '')
    .digest('hex');
}

/**
 * decision.proposed in, one outcome out: load the manifest in force, route (pure), record
 * the decision and emit its events, all in the chunk's transaction.
 */
@Injectable()
export class RoutingService {
  constructor(
    private readonly manifests: ManifestStore,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * A chunk of proposals in one go (the hot path): route each (pure), record the new
   * decisions in one statement and emit all their events in one outbox write. A copy of a
   * recorded decision has no second effect; a copy with other content is dead-lettered.
   */
  async routeProposals(proposals: readonly CloudEvent<typeof DECISION_PROPOSED>[], ctx: MessageContext): Promise<void> {
    const now = new Date();
    const routed = proposals.map((proposal) => {
      const decision = proposal.data;
      // Each workspace is routed by its own manifest, else the default one.
      const { manifest } = this.manifests.forWorkspace(proposal.workspaceid);
      // The transport let it through, so it verified; no signer means an unsigned proposal
      // a sandbox workspace admitted: route() gives it no autonomy.
      const routing = route(decision, manifest, now, { signed: ctx.signer(proposal.id) !== null });
      const outcome = outcomeEvents(proposal, routing, { approvalId: randomUUID(), postReviewApprovalId: randomUUID(), eventIds: randomUUID }, now);
      const row: NewDecision = {
        decision_id: decision.decision_id,
        workspace: proposal.workspaceid,
        agent_id: decision.agent.id,
        action: decision.action,
        event_id: proposal.id,
        content_hash: contentHash(decision),
        verdict: routing.verdict,
        mode: routing.mode,
        reasons: routing.reasons,
        manifest_version: routing.manifestVersion,
        approval_id: outcome.approvalId,
        post_review_approval_id: outcome.postReviewApprovalId,
        confidence: decision.confidence,
        decision,
      };
      return { proposal, routing, outcome, row };
    });

    const written = await recordDecisions(
      ctx.manager,
      routed.map((r) => r.row),
    );
    const copies = routed.filter((r) => !written.has(r.proposal.id));
    // The same decision again: one outcome per decision, ever; other content is refused.
    const first = await findDecisions(
      ctx.manager,
      copies.map((r) => r.row.decision_id),
    );
    for (const copy of copies) {
      const recorded = first.get(copy.row.decision_id);
      if (recorded && recorded.content_hash !== copy.row.content_hash) {
        ctx.reject(
          copy.proposal.id,
          'decision_conflict',
          `decision ${copy.row.decision_id} was already proposed (event ${recorded.event_id}) with different content; the first outcome (${recorded.verdict}) stands`,
        );
      }
    }

    const fresh = routed.filter((r) => written.has(r.proposal.id));
    await ctx.emit(...fresh.flatMap((r) => r.outcome.events));
    for (const { proposal, routing } of fresh) {
      decisionsRouted.inc({ verdict: routing.verdict });
      if (routing.alert) {
        alertsRun.inc({ action: proposal.data.action });
        this.logger.warn(
          { decision_id: proposal.data.decision_id, action: proposal.data.action, agent: proposal.data.agent.id },
          'log_and_alert action approved: it runs without review',
        );
      }
    }
  }

  /**
   * A proposal that broke the contract, or whose signature was refused: its agent gets
   * `blocked` with the reason, unless the decision already has an outcome. Nobody is asked
   * to review it; the DLQ has the original.
   */
  async blockInvalid(invalid: InvalidMessage, ctx: MessageContext): Promise<void> {
    const decisionId = invalid.violation.decisionId;
    if (!decisionId) return; // nobody to tell; the DLQ has it
    // A proposal refused for its signature is answered only when keyed by its decision, as the
    // contract keys every message: it then sits in the decision's partition behind any real
    // proposal, so a forger who read a decision id off the topic cannot block it first.
    const refusedSignature = invalid.violation.code === 'unsigned' || invalid.violation.code === 'signature_invalid';
    if (refusedSignature && invalid.position.key?.toLowerCase() !== decisionId.toLowerCase()) return;
    const parts = readableParts(invalid.raw);
    const { manifest } = this.manifests.forWorkspace(parts.workspaceid);
    const reasons = [invalidReason(invalid.violation)];
    const isNew = await recordDecision(ctx.manager, {
      decision_id: decisionId,
      workspace: parts.workspaceid,
      agent_id: null,
      action: parts.action,
      event_id: `${invalid.position.topic}/${invalid.position.partition}/${invalid.position.offset}`,
      content_hash: createHash('sha256')
        .update(invalid.raw ?? Buffer.alloc(0))
        .digest('hex'),
      verdict: 'block',
      mode: null,
      reasons,
      manifest_version: manifest.version,
      approval_id: null,
      post_review_approval_id: null,
      confidence: null,
      decision: null,
    });
    if (!isNew) return;
    await ctx.emit(
      newEvent(APPROVAL_RESOLVED, policyResolution({ decision_id: decisionId, ...parts }, 'blocked', reasons, manifest.version), {
        source: ROUTER_SOURCE,
        workspaceid: parts.workspaceid,
      }),
    );
    decisionsRouted.inc({ verdict: 'block' });
  }
}
