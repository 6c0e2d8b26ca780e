import { RolledBack } from '@hitl/reviewer-api';
import { SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { ReviewsService } from '../reviews/reviews.service';

export type { RolledBack } from '@hitl/reviewer-api';

/** Post-review: a reviewer undoes an action that already ran, within its rollback window. */
@Injectable()
export class PostReviewService {
  constructor(
    private readonly reviews: ReviewsService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Marks it rolled_back and tells the agent (approval.updated), in one transaction. */
  async rollback(reviewer: AuthenticatedReviewer, approvalId: string, reason: string, now = new Date()): Promise<RolledBack> {
    const outcome = await this.reviews.review(approvalId, () => ({ act: 'rollback', by: reviewer, reason }), now);
    const decisionId = outcome.review.decisionId;
    this.logger.info({ approval_id: approvalId, decision_id: decisionId, by: reviewer.id }, 'post-review: action rolled back');
    return { approval_id: approvalId, decision_id: decisionId, status: 'rolled_back', rolled_back_by: reviewer.id, reason, rolled_back_at: now.toISOString() };
  }
}
