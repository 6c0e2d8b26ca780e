import { createHash, randomUUID } from 'node:crypto';
import { APPROVAL_RESOLVED, CloudEvent, DECISION_PROPOSED, newEvent } from '@hitl/contracts';
import { InvalidMessage, MessageContext, UnprocessableMessageError } from '@hitl/messaging';
import { route } from '@hitl/policy';
import { ManifestStore, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { Logger } from 'pino';
import { Counter } from 'prom-client';
import { findDecision, recordDecision } from './decisions.repository';
import { ROUTER_SOURCE, outcomeEvents, policyResolution, readableParts } from './outcome-events';

const decisions = new Counter({ name: 'hitl_router_decisions_total', help: 'Decisions routed, by verdict', labelNames: ['verdict'] });
const alerts = new Counter({ name: 'hitl_router_alerts_total', help: 'log_and_alert actions that ran', labelNames: ['action'] });

function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalize(value) ?? '').digest('hex');
}

/**
 * decision.proposed in, one outcome out: load the manifest in force, route (pure), record
 * the decision and emit its events, all in the message's transaction.
 */
@Injectable()
export class RoutingService {
  constructor(
    private readonly manifests: ManifestStore,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async routeProposal(proposal: CloudEvent<typeof DECISION_PROPOSED>, ctx: MessageContext): Promise<void> {
    const decision = proposal.data;
    const { manifest } = this.manifests.current;
    const now = new Date();
    const routing = route(decision, manifest, now);
    const outcome = outcomeEvents(proposal, routing, { approvalId: randomUUID(), postReviewApprovalId: randomUUID(), eventIds: randomUUID }, now);

    const hash = contentHash(decision);
    const isNew = await recordDecision(ctx.manager, {
      decision_id: decision.decision_id,
      workspace: proposal.workspaceid,
      agent_id: decision.agent.id,
      action: decision.action,
      event_id: proposal.id,
      content_hash: hash,
      verdict: routing.verdict,
      mode: routing.mode,
      reasons: routing.reasons,
      manifest_version: routing.manifestVersion,
      approval_id: outcome.approvalId,
      post_review_approval_id: outcome.postReviewApprovalId,
      confidence: decision.confidence,
      decision,
    });
    if (!isNew) {
      // The same decision again: one outcome per decision, ever.
      const first = await findDecision(ctx.manager, decision.decision_id);
      if (first && first.content_hash !== hash) {
        throw new UnprocessableMessageError(
          'decision_conflict',
          `decision ${decision.decision_id} was already proposed (event ${first.event_id}) with different content; the first outcome (${first.verdict}) stands`,
        );
      }
      return;
    }
    await ctx.emit(...outcome.events);
    decisions.inc({ verdict: routing.verdict });
    if (routing.alert) {
      alerts.inc({ action: decision.action });
      this.logger.warn({ decision_id: decision.decision_id, action: decision.action, agent: decision.agent.id }, 'log_and_alert action approved: it runs without review');
    }
  }

  /** A proposal that broke the contract: its agent gets `blocked` with the reason, unless the decision already has an outcome. */
  async blockInvalid(invalid: InvalidMessage, ctx: MessageContext): Promise<void> {
    const decisionId = invalid.violation.decisionId;
    if (!decisionId) return; // nobody to tell; the DLQ has it
    const { manifest } = this.manifests.current;
    const parts = readableParts(invalid.raw);
    const reasons = [{ rule: 'contract_violation', detail: `the proposal breaks the wire contract (${invalid.violation.code}): ${invalid.violation.message}` }];
    const isNew = await recordDecision(ctx.manager, {
      decision_id: decisionId,
      workspace: parts.workspaceid,
      agent_id: null,
      action: parts.action,
      event_id: `${invalid.position.topic}/${invalid.position.partition}/${invalid.position.offset}`,
      content_hash: createHash('sha256').update(invalid.raw ?? Buffer.alloc(0)).digest('hex'),
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
    decisions.inc({ verdict: 'block' });
  }
}
