import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkResolution } from '@hitl/agent-sdk';
import { APPROVAL_RESOLVED, CloudEvent, DECISION_PROPOSED, DecisionProposedData, newEvent, payloadHash } from '@hitl/contracts';
import { Commands, MessageContext } from '@hitl/messaging';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { GatewayAgent, workspaceFor } from '../agents/gateway-agent';
import { outcomeBody, webhookIdOf } from '../callbacks/callback-message';
import { enqueueDelivery } from '../callbacks/callbacks.repository';
import { GatewayConfig } from '../config';
import { DecisionView, ProposalBody } from './decision-request';
import { decisionConflict, decisionNotFound, workspaceRefused } from './decisions.errors';
import { gatewayOutcomes, gatewayProposals } from './decisions.metrics';
import { DecisionRow, findDecision, insertDecision, keepResolution, lockPending } from './decisions.repository';

function viewOf(row: DecisionRow): DecisionView {
  const resolution = (row.resolution?.data ?? null) as Record<string, unknown> | null;
  return {
    decision_id: row.decision_id,
    workspace: row.workspace,
    action: row.action,
    payload_hash: row.payload_hash,
    status: resolution ? (resolution.status as DecisionView['status']) : 'pending',
    proposed_at: row.proposed_at.toISOString(),
    resolved_at: row.resolved_at?.toISOString() ?? null,
    resolution,
    resolution_event: row.resolution,
  };
}

/**
 * Agents that cannot hold a Kafka connection propose over HTTP. The gateway authenticated the
 * agent (its token), makes the contract's decision.proposed for it, signed with the gateway's
 * key (the registry lets that agent use it), and publishes it through the outbox in the
 * transaction that records it; the outcome is kept when it comes, once it passes the
 * executor's rule against what was proposed, and read back (or waited for) by that agent only.
 */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly commands: Commands,
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Proposes, once per decision_id: the same request again answers what the first made (and, once resolved, its outcome). */
  async propose(agent: GatewayAgent, body: ProposalBody, now = new Date()): Promise<{ created: boolean; view: DecisionView }> {
    const place = workspaceFor(agent, body.workspace);
    if ('refusal' in place) throw workspaceRefused(place.refusal);
    const { workspace: _workspace, agent: _agent, model, prompt_version, decision_id, ...rest } = body;
    const data: DecisionProposedData = {
      ...rest,
      decision_id: decision_id ?? randomUUID(),
      agent: { id: agent.id, ...(model ? { model } : {}), ...(prompt_version ? { prompt_version } : {}) },
    };
    const hash = payloadHash(data.action, data.parameters);
    const event = newEvent(DECISION_PROPOSED, data, { source: `agent/${agent.id}`, workspaceid: place.workspace, time: now });
    const created = await this.commands.run(async (ctx) => {
      const fresh = await insertDecision(ctx.manager, {
        decision_id: data.decision_id,
        agent_id: agent.id,
        workspace: place.workspace,
        action: data.action,
        payload_hash: hash,
        proposed_at: now,
        proposal: event as unknown as Record<string, unknown>,
      });
      if (fresh) await ctx.emit(event);
      return fresh;
    });
    const row = await findDecision(this.dataSource.manager, data.decision_id);
    // Another agent's id, or this agent's with other content: never a second proposal under one id.
    if (!row || row.agent_id !== agent.id || row.payload_hash !== hash || row.action !== data.action || row.workspace !== place.workspace)
      throw decisionConflict(data.decision_id);
    if (created) {
      gatewayProposals.inc();
      this.logger.info({ decision_id: row.decision_id, agent: agent.id, workspace: row.workspace, action: row.action }, 'proposed for an agent of the gateway');
    }
    return { created, view: viewOf(row) };
  }

  /** The agent's decision, waiting up to `waitSeconds` (bounded by GATEWAY_MAX_WAIT_SECONDS) for its outcome. */
  async read(agent: GatewayAgent, id: string, waitSeconds: number): Promise<DecisionView> {
    const until = Date.now() + Math.min(waitSeconds, this.config.GATEWAY_MAX_WAIT_SECONDS) * 1000;
    for (;;) {
      const row = await findDecision(this.dataSource.manager, id);
      if (!row || row.agent_id !== agent.id) throw decisionNotFound(id);
      if (row.resolution !== null || Date.now() >= until) return viewOf(row);
      await sleep(Math.min(this.config.GATEWAY_WAIT_POLL_MS, Math.max(1, until - Date.now())));
    }
  }

  /** The agent's decision as it stands now (404 for another agent's). */
  async current(agent: GatewayAgent, id: string): Promise<DecisionView> {
    return this.read(agent, id, 0);
  }

  /** Keeps the outcomes of a chunk of approval.resolved that belong to the gateway's decisions, in the chunk's transaction. */
  async keep(events: readonly CloudEvent<typeof APPROVAL_RESOLVED>[], ctx: MessageContext): Promise<void> {
    const pending = new Map((await lockPending(ctx.manager, [...new Set(events.map((e) => e.data.decision_id))])).map((r) => [r.decision_id, r]));
    for (const event of events) {
      const proposed = pending.get(event.data.decision_id);
      if (!proposed) continue;
      const verdict = ctx.signature(event.id) ?? { ok: false as const, code: 'unsigned' as const, reason: 'not verified', kid: null };
      // The executor's rule, as the SDK applies it: the agent behind the gateway gets only what it may act on.
      const consent = checkResolution(proposed, event.data, verdict);
      if (consent.outcome !== 'accept') {
        gatewayOutcomes.inc({ status: 'refused' });
        this.logger.warn(
          { security: true, decision_id: proposed.decision_id, event_id: event.id, reason: consent.outcome === 'refuse' ? consent.reason : consent.reason },
          'an outcome for a gateway decision fails the executor’s rule: not kept; the decision keeps waiting',
        );
        continue;
      }
      const at = new Date(event.time);
      await keepResolution(ctx.manager, proposed.decision_id, event as unknown as Record<string, unknown>, at);
      // Posted to the agent's callback, if it set one: written with the outcome, so neither is kept without the other.
      const view = viewOf({ ...proposed, resolution: event as unknown as Record<string, unknown>, resolved_at: at });
      await enqueueDelivery(ctx.manager, {
        webhook_id: webhookIdOf(proposed.decision_id),
        agent_id: proposed.agent_id,
        decision_id: proposed.decision_id,
        body: outcomeBody(view, at),
        at,
      });
      pending.delete(proposed.decision_id);
      gatewayOutcomes.inc({ status: event.data.status });
    }
  }
}
