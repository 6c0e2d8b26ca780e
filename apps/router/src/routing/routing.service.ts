import { createHash, randomUUID } from 'node:crypto';
import { APPROVAL_RESOLVED, CloudEvent, DECISION_PROPOSED, canonicalJson, newEvent } from '@hitl/contracts';
import { InvalidMessage, MessageContext } from '@hitl/messaging';
import { RepairHistory, refuseRepair, route } from '@hitl/policy';
import { ManifestStore, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { ControlsInForce, controlsInForce } from './controls.repository';
import {
  NewDecision,
  RecordedRepairTarget,
  chainAttempts,
  findDecisions,
  lockRepairTargets,
  recordDecision,
  recordDecisionsUnder,
} from './decisions.repository';
import { ROUTER_SOURCE, invalidReason, outcomeEvents, outcomePlans, policyResolution, readableParts, rederivedOutcome } from './outcome-events';
import { alertsRun, decisionsRouted, repairsRouted, routingSeconds } from './routing.metrics';
import { pauseCovering } from '../pauses/pause-cover';
import { pausedRoutings } from '../pauses/pauses.metrics';
import { ProbationService } from '../probation/probation.service';

/** Sets of workspaces whose controls the router keeps between chunks. */
const CONTROLS_KEPT = 64;

function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/**
 * decision.proposed in, one outcome out: load the manifest in force, route (pure), record
 * the decision and emit its events, all in the chunk's transaction.
 */
@Injectable()
export class RoutingService {
  /** The controls in force last read, by the workspaces of a chunk: what a chunk is routed under first (recordDecisionsUnder checks them). */
  private readonly lastControls = new Map<string, ControlsInForce>();

  constructor(
    private readonly manifests: ManifestStore,
    private readonly probations: ProbationService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * A chunk of proposals in one go (the hot path): route each (pure), record the new
   * decisions in one statement, and emit all their events to be published after the commit
   * (re-derivable from the rows). A copy of a recorded decision has no second effect; a copy
   * with other content is dead-lettered.
   */
  async routeProposals(proposals: readonly CloudEvent<typeof DECISION_PROPOSED>[], ctx: MessageContext): Promise<void> {
    const now = new Date();
    const chains = await this.repairChains(proposals, ctx);
    const workspaces = proposals.map((p) => p.workspaceid);
    // A manifest version routed by for the first time is compared with the last first (new or widened actions: probation).
    await this.probations.compareVersions(ctx, workspaces, now);
    // The transport let each through, so it verified; no signer means an unsigned proposal
    // a sandbox workspace admitted: route() gives it no autonomy. Chains are looked at once.
    const inputs = proposals.map((proposal) => {
      const signed = ctx.signer(proposal.id) !== null;
      return { proposal, signed, chain: chains(proposal, signed) };
    });
    // Routed under the controls last read for these workspaces, and recorded only if they are
    // still the ones in force when the rows are written (one statement): a pause any replica
    // kept holds here at once. Otherwise routed again under the ones that statement read.
    const key = [...new Set(workspaces)].sort().join('\u0000');
    let controls = this.lastControls.get(key) ?? (await controlsInForce(ctx.manager, workspaces));
    let routed: ReturnType<typeof this.routeUnder>;
    let written: Set<string>;
    for (;;) {
      routed = this.routeUnder(inputs, controls, now);
      const recorded = await recordDecisionsUnder(
        ctx.manager,
        routed.map((r) => r.row),
        workspaces,
        controls.fingerprint,
      );
      if ('written' in recorded) {
        written = recorded.written;
        break;
      }
      controls = recorded.changed;
    }
    this.lastControls.delete(key);
    this.lastControls.set(key, controls);
    // A hint, not a record: the sets of workspaces chunks came with lately.
    for (const oldest of this.lastControls.keys()) {
      if (this.lastControls.size <= CONTROLS_KEPT) break;
      this.lastControls.delete(oldest);
    }
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
      } else if (recorded && recorded.event_id === copy.proposal.id) {
        // The very proposal again (a redelivery after a crash between the commit and the
        // publish): its events again, the same ids, so the agent is answered once.
        ctx.emitAfterCommit(...(rederivedOutcome(recorded) ?? []));
      }
    }

    // Published right after the commit: a pure function of the rows just written (above).
    const fresh = routed.filter((r) => written.has(r.proposal.id));
    ctx.emitAfterCommit(...fresh.flatMap((r) => r.outcome.events));
    for (const { proposal, routing, row } of fresh) {
      decisionsRouted.inc({ verdict: routing.verdict });
      routingSeconds.observe({ verdict: routing.verdict }, Math.max(0, now.getTime() - Date.parse(proposal.time)) / 1000);
      if (routing.reasons.some((r) => r.rule === 'paused')) pausedRoutings.inc({ verdict: routing.verdict });
      if (routing.parameterErrors) repairsRouted.inc({ outcome: 'sent_back' });
      else if (routing.reasons.some((r) => r.rule === 'repair_refused')) repairsRouted.inc({ outcome: 'refused' });
      else if (row.parameter_errors) repairsRouted.inc({ outcome: 'to_a_person' });
      else if (row.attempt > 1) repairsRouted.inc({ outcome: 'repaired' });
      if (routing.alert) {
        alertsRun.inc({ action: proposal.data.action });
        this.logger.warn(
          { decision_id: proposal.data.decision_id, action: proposal.data.action, agent: proposal.data.agent.id },
          'log_and_alert action approved: it runs without review',
        );
      }
    }
  }

  /** Each proposal routed (pure) under these controls: its outcome, and the row that records it. */
  private routeUnder(
    inputs: readonly {
      proposal: CloudEvent<typeof DECISION_PROPOSED>;
      signed: boolean;
      chain: { history: RepairHistory; target: RecordedRepairTarget | null };
    }[],
    controls: ControlsInForce,
    now: Date,
  ) {
    return inputs.map(({ proposal, signed, chain }) => {
      const decision = proposal.data;
      // Each workspace is routed by its own manifest, else the default one.
      const { manifest } = this.manifests.forWorkspace(proposal.workspaceid);
      const pause = pauseCovering(controls.pauses, { workspace: proposal.workspaceid, agent_id: decision.agent.id, action: decision.action }) ?? undefined;
      const probation = controls.probations.find((p) => p.workspace === proposal.workspaceid && p.action === decision.action);
      const routing = route(decision, manifest, now, { signed, repair: chain.history, pause, probation });
      const outcome = outcomeEvents(proposal, routing, { approvalId: randomUUID(), postReviewApprovalId: randomUUID(), eventIds: randomUUID }, now);
      const attempts = routing.repairAttempts;
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
        signed,
        repair_of: chain.target ? chain.target.decision_id : null,
        repair_chain: chain.target ? chain.target.repair_chain : decision.decision_id,
        attempt: chain.target ? chain.target.attempt + 1 : 1,
        // What failed: sent back, or shown to a person as the last attempt's errors.
        parameter_errors:
          routing.parameterErrors ?? (attempts && attempts[attempts.length - 1].errors.length > 0 ? attempts[attempts.length - 1].errors : null),
        // Sent to a person by its probation: that person's verdict counts towards it.
        probation_id: probation && routing.reasons.some((r) => r.rule === 'probation') ? probation.id : null,
        // Enough to emit the same events again should the proposal be redelivered.
        outcome_plans: outcomePlans(routing),
        outcome_event_ids: outcome.events.map((event) => event.id),
        routed_at: now,
      };
      return { proposal, routing, outcome, row };
    });
  }

  /**
   * Where each proposal of a chunk stands in its repair chain, from the router's records:
   * `history` for route(), and `target` (the attempt it repairs) when its repair_of is
   * accepted. The attempts repairs name are locked for the chunk's transaction; of two
   * repairs of one attempt in one chunk the first is the repair, the other is refused.
   */
  private async repairChains(
    proposals: readonly CloudEvent<typeof DECISION_PROPOSED>[],
    ctx: MessageContext,
  ): Promise<(proposal: CloudEvent<typeof DECISION_PROPOSED>, signed: boolean) => { history: RepairHistory; target: RecordedRepairTarget | null }> {
    const named = proposals.map((p) => p.data.repair_of).filter((id): id is string => id !== undefined);
    const targets = await lockRepairTargets(ctx.manager, named);
    const attempts = await chainAttempts(
      ctx.manager,
      [...targets.values()].map((t) => t.repair_chain),
    );
    const claimed = new Map<string, string>();
    return (proposal, signed) => {
      const decision = proposal.data;
      if (decision.repair_of === undefined) return { history: { earlier: [] }, target: null };
      const target = targets.get(decision.repair_of);
      const refusal = refuseRepair(
        {
          decision_id: decision.decision_id,
          repair_of: decision.repair_of,
          workspace: proposal.workspaceid,
          agent_id: decision.agent.id,
          action: decision.action,
          signed,
        },
        target && {
          ...target,
          // Sent back for a repair: blocked with the errors to correct.
          parameter_errors: target.verdict === 'block' ? target.parameter_errors : null,
          repaired_by: claimed.get(target.decision_id) ?? target.repaired_by,
        },
      );
      if (refusal !== null || !target) return { history: { refused: refusal ?? 'repair refused' }, target: null };
      claimed.set(target.decision_id, decision.decision_id);
      const earlier = (attempts.get(target.repair_chain) ?? []).filter((a) => a.attempt <= target.attempt);
      return { history: { earlier }, target };
    };
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
      signed: false,
      repair_of: null,
      repair_chain: decisionId,
      attempt: 1,
      parameter_errors: null,
      probation_id: null,
      // Its answer goes through the outbox: nothing here is emitted again.
      outcome_plans: null,
      outcome_event_ids: null,
      routed_at: new Date(),
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
