import { ApiZodBody, ZodPipe } from '@hitl/service-kit';
import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiApprovalId, approvalIdPipe } from '../approval-store/approval-id.pipe';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { Reviewer, ReviewerApi } from '../reviewers/reviewer.decorators';
import { ReviewerText } from '../reviews/review-commands';
import { PostReviewService, RolledBack } from './post-review.service';

export const RollbackBody = z.strictObject({
  reason: ReviewerText('must say, as text, why the action is rolled back', 'Why the action is rolled back; sent to the agent and kept in the audit trail.'),
});
export type RollbackBody = z.output<typeof RollbackBody>;

/** POST /approvals/:id/rollback: undo an action that already ran (route post_review). */
@ReviewerApi('approvals', 'approvals')
export class PostReviewController {
  constructor(private readonly postReview: PostReviewService) {}

  @Post(':id/rollback')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Roll back an action that already ran',
    description:
      'For post_review approvals (the action ran; a person reviews it afterwards), within `rollback_window_seconds` of the request (no limit when null). ' +
      'Whoever may deny it may roll it back. Status becomes `rolled_back` and the agent gets `hitl.approval.rolled_back.v1` on approval.updated. ' +
      'To confirm the action was fine instead, approve it (status `reviewed`).',
  })
  @ApiApprovalId()
  @ApiZodBody(RollbackBody)
  @ApiOkResponse({ description: 'Rolled back: approval_id, decision_id, status `rolled_back`, rolled_back_by, reason, rolled_back_at.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: the body or `id` is invalid; each field is named in `issues`. Nothing changed.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace` or `wrong_role`: the caller may not decide this approval.' })
  @ApiNotFoundResponse({ description: '`approval_not_found`.' })
  @ApiConflictResponse({ description: '`rollback_window_closed`, `not_post_review` (the action has not run: deny it) or `already_resolved`.' })
  rollback(
    @Reviewer() reviewer: AuthenticatedReviewer,
    @Param('id', approvalIdPipe) approvalId: string,
    @Body(new ZodPipe(RollbackBody)) body: RollbackBody,
  ): Promise<RolledBack> {
    return this.postReview.rollback(reviewer, approvalId, body.reason);
  }
}
