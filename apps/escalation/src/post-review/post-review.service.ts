import { decideReview } from '@hitl/approvals';
import { Commands } from '@hitl/messaging';
import { SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { approvalNotFound, refused } from '../approvals/approval.errors';
import { lockReview, saveReview } from '../approvals/approvals.repository';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';

export interface RolledBack {
  approval_id: string;
  decision_id: string;
  status: 'rolled_back';
  rolled_back_by: string;
  reason: string;
  rolled_back_at: string;
}

/** Post-review: a reviewer undoes an action that already ran, within its rollback window. */
@Injectable()
export class PostReviewService {
  constructor(
    private readonly commands: Commands,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Marks it rolled_back and tells the agent (approval.updated), in one transaction. */
  async rollback(reviewer: AuthenticatedReviewer, approvalId: string, reason: string, now = new Date()): Promise<RolledBack> {
    const outcome = await this.commands.run(async (ctx) => {
      const review = await lockReview(ctx.manager, approvalId);
      if (!review) throw approvalNotFound(approvalId);
      const verdict = decideReview(review, { act: 'rollback', by: reviewer, reason }, now);
      if (verdict.kind === 'refused') throw refused(verdict.refusal);
      await saveReview(ctx.manager, approvalId, verdict.changes);
      await ctx.emit(...verdict.events);
      return verdict;
    });
    const decisionId = outcome.review.decisionId;
    this.logger.info({ approval_id: approvalId, decision_id: decisionId, by: reviewer.id }, 'post-review: action rolled back');
    return { approval_id: approvalId, decision_id: decisionId, status: 'rolled_back', rolled_back_by: reviewer.id, reason, rolled_back_at: now.toISOString() };
  }
}
