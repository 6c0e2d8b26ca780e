import { ApiZodBody, ZodPipe } from '@hitl/service-kit';
import { Body, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiApprovalId, approvalIdPipe } from '../approval-store/approval-id.pipe';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { Reviewer, ReviewerApi } from '../reviewers/reviewer.decorators';
import { ReviewerText } from '../reviews/review-commands';
import { ClarificationAsked, ClarificationsService } from './clarifications.service';

export const ClarifyBody = z.strictObject({
  question: ReviewerText('must be the question for the agent, as text', 'What the reviewer needs to know before deciding; sent to the agent as written.'),
});
export type ClarifyBody = z.output<typeof ClarifyBody>;

/** POST /approvals/:id/clarify: ask the agent a question; the approval waits, its clocks paused. */
@ReviewerApi('approvals', 'approvals')
export class ClarificationsController {
  constructor(private readonly clarifications: ClarificationsService) {}

  @Post(':id/clarify')
  @ApiOperation({
    summary: 'Ask the agent for more information',
    description:
      'Whoever may decide the approval may ask. Its status becomes `clarifying` and its SLA and expiry clocks stop (what they had left is kept); ' +
      'the agent gets `hitl.approval.clarification_requested.v1` on approval.updated and answers with `hitl.approval.clarification_provided.v1`, ' +
      "which resumes the clocks where they stopped. The pause lasts at most the manifest's `clarification_timeout_seconds` (default 3600): " +
      'unanswered by then, the clocks run again from that moment and `hitl.approval.reassigned.v1` (same reviewer) says why; a later answer is still kept. ' +
      'One open question at a time.',
  })
  @ApiApprovalId()
  @ApiZodBody(ClarifyBody)
  @ApiCreatedResponse({
    description:
      'The question is recorded and sent: clarification_id, approval_id, status `clarifying`, question, requested_by, requested_at, paused (ms left on each clock), resumes_by (when the clocks run again if nobody answers).',
  })
  @ApiBadRequestResponse({ description: '`invalid_request`: the body or `id` is invalid; each field is named in `issues`. Nothing changed.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace` or `wrong_role`: the caller may not decide this approval.' })
  @ApiNotFoundResponse({ description: '`approval_not_found`.' })
  @ApiConflictResponse({ description: '`already_resolved`: it was decided; `clarification_pending`: a question already waits for its answer.' })
  clarify(
    @Reviewer() reviewer: AuthenticatedReviewer,
    @Param('id', approvalIdPipe) approvalId: string,
    @Body(new ZodPipe(ClarifyBody)) body: ClarifyBody,
  ): Promise<ClarificationAsked> {
    return this.clarifications.ask(reviewer, approvalId, body.question);
  }
}
