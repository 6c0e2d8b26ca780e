import { Decided, Review, ReviewCommand, decideReview } from '@hitl/approvals';
import { Commands } from '@hitl/messaging';
import { BatchResult, DecisionResult } from '@hitl/reviewer-api';
import { route } from '@hitl/policy';
import { ManifestStore, SERVICE_LOGGER } from '@hitl/service-kit';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { Counter } from 'prom-client';
import { approvalNotFound, refused } from '../approvals/approval.errors';
import { lockReview, saveReview } from '../approvals/approvals.repository';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { DecisionCommand } from './decision-commands';

export type { DecisionCommand } from './decision-commands';

// The answers' shapes are the reviewer API's (libs/reviewer-api), which the console reads too.
export type { BatchResult, DecisionResult } from '@hitl/reviewer-api';

const decided = new Counter({ name: 'hitl_escalation_decisions_total', help: 'Reviewer decisions, by act and outcome', labelNames: ['act', 'outcome'] });

/**
 * A reviewer's decision: load the approval (locked: concurrent decisions queue on the row and
 * exactly one resolves it, the other gets 409), decide (libs/approvals, pure), save, emit,
 * in one transaction. The requester-never-approves rule is also a database constraint.
 */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly commands: Commands,
    private readonly manifests: ManifestStore,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async decide(actor: AuthenticatedReviewer, approvalId: string, command: DecisionCommand): Promise<DecisionResult> {
    const now = new Date();
    try {
      const outcome = await this.commands.run(async (ctx) => {
        const review = await lockReview(ctx.manager, approvalId);
        if (!review) throw approvalNotFound(approvalId);
        const verdict = decideReview(review, this.reviewCommand(actor, review, command, now), now);
        if (verdict.kind === 'refused') throw refused(verdict.refusal);
        await saveReview(ctx.manager, approvalId, verdict.changes);
        await ctx.emit(...verdict.events);
        return verdict;
      });
      const result = resultOf(outcome);
      decided.inc({ act: command.act, outcome: result.status });
      this.logger.info({ approval_id: approvalId, reviewer: actor.id, act: command.act, status: result.status }, 'reviewer decision');
      return result;
    } catch (error) {
      if (error instanceof HttpException) decided.inc({ act: command.act, outcome: `refused_${error.getStatus()}` });
      throw error;
    }
  }

  /** Many decisions, each on its own: every item gets a result, none is dropped. */
  async decideBatch(actor: AuthenticatedReviewer, items: (DecisionCommand & { approval_id: string })[]): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for (const { approval_id, ...command } of items) {
      try {
        results.push({ approval_id, ok: true, result: await this.decide(actor, approval_id, command as DecisionCommand) });
      } catch (error) {
        if (!(error instanceof HttpException)) throw error;
        const body = error.getResponse() as { code?: string; message?: string };
        results.push({ approval_id, ok: false, error: { statusCode: error.getStatus(), code: body.code ?? 'refused', message: body.message ?? error.message } });
      }
    }
    return results;
  }

  /** The HTTP body as the decider's command; an edit brings the policy's verdict on its parameters (the manifest in force). */
  private reviewCommand(by: AuthenticatedReviewer, review: Review, command: DecisionCommand, now: Date): ReviewCommand {
    const notes = command.notes ?? null;
    switch (command.act) {
      case 'approve':
        return { act: 'approve', by, shownPayloadHash: command.payload_hash, notes, chosenOption: command.chosen_option ?? null };
      case 'deny':
        return { act: 'deny', by, reason: command.reason, shownPayloadHash: command.payload_hash, notes };
      case 'edit': {
        const rerouted = route({ ...review.request.decision, parameters: command.parameters, recommended_review: false }, this.manifests.current.manifest, now);
        const reroute = { verdict: rerouted.verdict, reviewerRole: rerouted.approval?.reviewer_role ?? null, decidedBy: rerouted.reasons.at(-1)?.detail ?? rerouted.verdict };
        return { act: 'edit', by, shownPayloadHash: command.payload_hash, parameters: command.parameters, reroute, notes, chosenOption: command.chosen_option ?? null };
      }
    }
  }
}

function resultOf({ status, review }: Decided): DecisionResult {
  if (status !== 'approved' && status !== 'denied' && status !== 'reviewed' && status !== 'awaiting_approvals') throw new Error(`a decision cannot end ${status}`);
  return { approval_id: review.approvalId, decision_id: review.decisionId, status, approvals: review.approvedBy, required_approvals: review.requiredApprovals, payload_hash: review.payloadHash };
}
