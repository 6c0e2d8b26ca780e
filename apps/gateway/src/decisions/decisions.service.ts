import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkResolution } from '@hitl/agent-sdk';
import {
  ACTION_EXECUTED,
  APPROVAL_CLARIFICATION_PROVIDED,
  APPROVAL_CLARIFICATION_REQUESTED,
  APPROVAL_RESOLVED,
  ActionExecutedData,
  AnyEvent,
  ApprovalResolvedData,
  CloudEvent,
  DECISION_PROPOSED,
  DecisionProposedData,
  GATEWAY_AGENT_ATTRIBUTE,
  OUTCOME_LABELED,
  OutcomeLabeledData,
  newEvent,
  payloadHash,
} from '@hitl/contracts';
import { Commands, MessageContext } from '@hitl/messaging';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { GatewayAgent, workspaceFor } from '../agents/gateway-agent';
import { outcomeBody, webhookIdOf } from '../callbacks/callback-message';
import { enqueueDelivery } from '../callbacks/callbacks.repository';
import { GatewayConfig } from '../config';
import { DecisionView, ExecutionBody, LabelBody, ProposalBody } from './decision-request';
import { OutcomeSignal } from './outcome-signal';
import { alreadyAnswered, alreadyReported, clarificationNotFound, decisionConflict, decisionNotFound, notApproved, workspaceRefused } from './decisions.errors';
import { gatewayOutcomes, gatewayProposals } from './decisions.metrics';
import {
  ClarificationRow,
  DecisionRow,
  answerClarification,
  clarificationsOf,
  findDecision,
  insertDecision,
  keepClarification,
  keepResolution,
  lockDecision,
  lockPending,
  recordExecution,
} from './decisions.repository';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** After a wake-up: how often, and how far apart, a waiting read looks again for the committed change. */
const WAKE_LOOKS = 8;
const AFTER_WAKE_MS = 5;

function viewOf(row: DecisionRow, clarifications: readonly ClarificationRow[] = []): DecisionView {
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
    clarifications: clarifications.map((c) => ({
      clarification_id: c.clarification_id,
      approval_id: c.approval_id,
      question: c.question,
      requested_by: c.requested_by,
      asked_at: c.asked_at.toISOString(),
      answer: c.answer,
      answered_at: iso(c.answered_at),
    })),
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
    private readonly signal: OutcomeSignal,
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
    // Named in the signed `hitlagent` attribute: the event counts as the agent's, signed through the gateway.
    const event = {
      ...newEvent(DECISION_PROPOSED, data, { source: `agent/${agent.id}`, workspaceid: place.workspace, time: now }),
      [GATEWAY_AGENT_ATTRIBUTE]: agent.id,
    };
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

  /**
   * The agent's decision, waiting up to `waitSeconds` (bounded by GATEWAY_MAX_WAIT_SECONDS) for
   * its outcome, or for a reviewer's question asked while it waits (the reviewer waits on the
   * answer). Questions asked before are in the answer too, without ending a later wait early.
   */
  async read(agent: GatewayAgent, id: string, waitSeconds: number): Promise<DecisionView> {
    const since = Date.now();
    const until = since + Math.min(waitSeconds, this.config.GATEWAY_MAX_WAIT_SECONDS) * 1000;
    // After a wake-up the change may not be committed yet: look again soon, a few times, before the usual poll.
    let soon = 0;
    for (;;) {
      const row = await findDecision(this.dataSource.manager, id);
      if (!row || row.agent_id !== agent.id) throw decisionNotFound(id);
      const questions = await clarificationsOf(this.dataSource.manager, id);
      const asked = questions.some((q) => q.answer === null && q.asked_at.getTime() >= since - 1_000);
      if (row.resolution !== null || (asked && waitSeconds > 0) || Date.now() >= until) return viewOf(row, questions);
      const pause = Math.min(soon > 0 ? AFTER_WAKE_MS : this.config.GATEWAY_WAIT_POLL_MS, Math.max(1, until - Date.now()));
      if (soon > 0) {
        soon -= 1;
        await sleep(pause);
      } else if ((await this.signal.next(id, pause)) === 'changed') soon = WAKE_LOOKS;
    }
  }

  /** Reviewers' questions about the gateway's decisions (a chunk of approval.updated), kept for their agents. */
  async keepQuestions(events: readonly CloudEvent<typeof APPROVAL_CLARIFICATION_REQUESTED>[], ctx: MessageContext): Promise<void> {
    for (const { data, time } of events) {
      const { clarification_id, decision_id, approval_id, question, requested_by } = data;
      if (await keepClarification(ctx.manager, { clarification_id, decision_id, approval_id, question, requested_by, asked_at: new Date(time) })) {
        this.logger.info({ decision_id, clarification_id, requested_by }, 'a reviewer asked a gateway agent a question');
        this.signal.changed(decision_id);
      }
    }
  }

  /** The agent's answer to a reviewer's question, published as clarification_provided for it: once. */
  async answer(agent: GatewayAgent, id: string, clarificationId: string, answer: string, now = new Date()): Promise<DecisionView> {
    await this.commands.run(async (ctx) => {
      const row = await findDecision(ctx.manager, id);
      if (!row || row.agent_id !== agent.id) throw decisionNotFound(id);
      const asked = (await clarificationsOf(ctx.manager, id)).find((c) => c.clarification_id === clarificationId);
      if (!asked) throw clarificationNotFound(id, clarificationId);
      if (!(await answerClarification(ctx.manager, clarificationId, answer, now))) throw alreadyAnswered(clarificationId);
      const data = { decision_id: id, approval_id: asked.approval_id, clarification_id: clarificationId, provided_by: `agent/${agent.id}`, answer };
      await ctx.emit(
        this.forAgent(agent, newEvent(APPROVAL_CLARIFICATION_PROVIDED, data, { source: `agent/${agent.id}`, workspaceid: row.workspace, time: now })),
      );
    });
    return this.current(agent, id);
  }

  /**
   * What the agent ran under an approval, published as action.executed for it (with the
   * parameters and payload_hash of the approval, a reviewer's edit included): once per decision.
   */
  async reportExecution(agent: GatewayAgent, id: string, body: ExecutionBody, now = new Date()): Promise<DecisionView> {
    await this.commands.run(async (ctx) => {
      const row = await lockDecision(ctx.manager, id);
      if (!row || row.agent_id !== agent.id) throw decisionNotFound(id);
      const resolution = row.resolution?.data as ApprovalResolvedData | undefined;
      if (!resolution || resolution.status !== 'approved') throw notApproved(id, resolution?.status ?? 'pending');
      const data: ActionExecutedData = {
        decision_id: id,
        action: resolution.action,
        parameters: resolution.parameters,
        payload_hash: resolution.payload_hash,
        succeeded: body.succeeded,
        output: body.output,
        error: body.error,
        duration_ms: body.duration_ms,
      };
      if (!(await recordExecution(ctx.manager, id, data, now))) throw alreadyReported(id);
      await ctx.emit(this.forAgent(agent, newEvent(ACTION_EXECUTED, data, { source: `agent/${agent.id}`, workspaceid: row.workspace, time: now })));
    });
    return this.current(agent, id);
  }

  /** A label of the decision's outcome, published as outcome.labeled for the agent. */
  async label(agent: GatewayAgent, id: string, body: LabelBody, now = new Date()): Promise<DecisionView> {
    await this.commands.run(async (ctx) => {
      const row = await findDecision(ctx.manager, id);
      if (!row || row.agent_id !== agent.id) throw decisionNotFound(id);
      const data: OutcomeLabeledData = { decision_id: id, correct: body.correct, source: body.source, labeled_by: body.labeled_by, notes: body.notes };
      await ctx.emit(this.forAgent(agent, newEvent(OUTCOME_LABELED, data, { source: `agent/${agent.id}`, workspaceid: row.workspace, time: now })));
    });
    return this.current(agent, id);
  }

  /** The event as the gateway signs it for `agent`: named in the signed `hitlagent` attribute, it counts as the agent's. */
  private forAgent<E extends AnyEvent>(agent: GatewayAgent, event: E): E {
    return { ...event, [GATEWAY_AGENT_ATTRIBUTE]: agent.id };
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
      this.signal.changed(proposed.decision_id);
    }
  }
}
