import { Decided, Review, ReviewCommand, decideCanary, decideReview } from '@hitl/approvals';
import { APPROVAL_RESOLVED } from '@hitl/contracts';
import { Commands } from '@hitl/messaging';
import { BatchResult, DecisionResult } from '@hitl/reviewer-api';
import { route } from '@hitl/policy';
import { ManifestStore, SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { contextOf, inSpan } from '@hitl/tracing';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { Logger } from 'pino';
import { EntityManager } from 'typeorm';
import { approvalNotFound, refused } from '../approval-store/approval.errors';
import { candidates, lockReview, saveReview, traceContextOf } from '../approval-store/approval-store.repository';
import { EscalationConfig } from '../config';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { ReviewAct } from './review-commands';
import { decisions, resolutionSeconds, reviewSeconds } from './reviews.metrics';

export type { ReviewAct } from './review-commands';

// The answers' shapes are the reviewer API's (libs/reviewer-api), which the console reads too.
export type { BatchResult, DecisionResult } from '@hitl/reviewer-api';

/**
 * A reviewer's act on an approval: load it (locked: concurrent acts queue on the row and
 * exactly one resolves it, the other gets 409), decide (libs/approvals, pure), save, emit,
 * in one transaction. The requester-never-approves rule is also a database constraint.
 */
@Injectable()
export class ReviewsService {
  constructor(
    private readonly commands: Commands,
    private readonly manifests: ManifestStore,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Approve, deny or edit, as `actor`; counted and logged. */
  async decide(actor: AuthenticatedReviewer, approvalId: string, command: ReviewAct): Promise<DecisionResult> {
    const now = new Date();
    try {
      let requestedAt: Date | undefined;
      const verdict = await this.review(
        approvalId,
        (review, manager) => {
          requestedAt = review.requestedAt;
          return this.reviewCommand(actor, review, command, manager, now);
        },
        now,
      );
      const result = resultOf(verdict);
      decisions.inc({ act: command.act, outcome: result.status });
      if (requestedAt) {
        const seconds = (now.getTime() - requestedAt.getTime()) / 1000;
        reviewSeconds.observe({ act: command.act }, seconds);
        if (verdict.events.some((e) => e.type === APPROVAL_RESOLVED)) resolutionSeconds.observe({ status: result.status, resolved_by: 'reviewer' }, seconds);
      }
      this.logger.info({ approval_id: approvalId, reviewer: actor.id, act: command.act, status: result.status }, 'reviewer decision');
      return result;
    } catch (error) {
      if (error instanceof HttpException) decisions.inc({ act: command.act, outcome: `refused_${error.getStatus()}` });
      throw error;
    }
  }

  /**
   * Any review command (decisions, questions to the agent, rollbacks), in one transaction:
   * load → decide → save → emit. A refusal throws its HTTP error and writes nothing.
   * Traced on the decision's trace: a span whose parent is the context the approval was
   * opened in (linked to the HTTP request's own span), which what it emits carries.
   */
  review(approvalId: string, commandFor: (review: Review, manager: EntityManager) => ReviewCommand | Promise<ReviewCommand>, now: Date): Promise<Decided> {
    return this.commands.run(async (ctx) => {
      const opened = await traceContextOf(ctx.manager, approvalId);
      const request = trace.getSpanContext(context.active());
      const onDecisionTrace = opened.traceparent !== undefined;
      const span = {
        kind: SpanKind.SERVER,
        parent: onDecisionTrace ? contextOf(opened) : context.active(),
        links: onDecisionTrace && request ? [{ context: request }] : [],
        attributes: { 'hitl.approval_id': approvalId },
      };
      return inSpan('review approval', span, async (active) => {
        const review = await lockReview(ctx.manager, approvalId);
        if (!review) throw approvalNotFound(approvalId);
        const command = await commandFor(review, ctx.manager);
        if (active.isRecording()) active.setAttributes({ 'hitl.decision_id': review.decisionId, 'hitl.review.act': command.act });
        // A canary is answered like any item, but only scored: never resolved for an agent, never executed.
        const verdict = review.canary ? decideCanary(review, review.canary, command, now) : decideReview(review, command, now);
        if (verdict.kind === 'refused') throw refused(verdict.refusal);
        await saveReview(ctx.manager, approvalId, verdict.changes);
        await ctx.emit(...verdict.events);
        return verdict;
      });
    });
  }

  /** Many decisions, each on its own: every item gets a result, none is dropped. */
  async decideBatch(actor: AuthenticatedReviewer, items: (ReviewAct & { approval_id: string })[]): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for (const { approval_id, ...command } of items) {
      try {
        results.push({ approval_id, ok: true, result: await this.decide(actor, approval_id, command as ReviewAct) });
      } catch (error) {
        if (!(error instanceof HttpException)) throw error;
        const body = error.getResponse() as { code?: string; message?: string };
        results.push({
          approval_id,
          ok: false,
          error: { statusCode: error.getStatus(), code: body.code ?? 'refused', message: body.message ?? error.message },
        });
      }
    }
    return results;
  }

  /**
   * The HTTP body as the decider's command. An edit brings the policy's verdict on its
   * parameters (the workspace's manifest in force), and who could take it if it must go up.
   */
  private async reviewCommand(by: AuthenticatedReviewer, review: Review, command: ReviewAct, manager: EntityManager, now: Date): Promise<ReviewCommand> {
    const notes = command.notes ?? null;
    switch (command.act) {
      case 'approve':
        return { act: 'approve', by, shownPayloadHash: command.payload_hash, notes, chosenOption: command.chosen_option ?? null };
      case 'deny':
        return { act: 'deny', by, reason: command.reason, shownPayloadHash: command.payload_hash, notes };
      case 'edit': {
        const { manifest } = this.manifests.forWorkspace(review.workspace);
        const rerouted = route({ ...review.request.decision, parameters: command.parameters, recommended_review: false }, manifest, now);
        const reroute = {
          verdict: rerouted.verdict,
          reviewerRole: rerouted.approval?.reviewer_role ?? null,
          decidedBy: rerouted.reasons.at(-1)?.detail ?? rerouted.verdict,
        };
        const pool = await candidates(manager, review.workspace, review.escalationPath, this.config.REVIEWER_DEFAULT_CAPACITY);
        return {
          act: 'edit',
          by,
          shownPayloadHash: command.payload_hash,
          parameters: command.parameters,
          reroute,
          candidates: pool,
          notes,
          chosenOption: command.chosen_option ?? null,
        };
      }
    }
  }
}

function resultOf({ status, review }: Decided): DecisionResult {
  if (status !== 'approved' && status !== 'denied' && status !== 'reviewed' && status !== 'awaiting_approvals' && status !== 'escalated')
    throw new Error(`a decision cannot end ${status}`);
  return {
    approval_id: review.approvalId,
    decision_id: review.decisionId,
    status,
    approvals: review.approvedBy,
    required_approvals: review.requiredApprovals,
    payload_hash: review.payloadHash,
  };
}
