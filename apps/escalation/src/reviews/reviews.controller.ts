import { ZodPipe } from '@hitl/service-kit';
import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { BatchAnswer } from '@hitl/reviewer-api';
import { Authenticated, Reviewer } from '../reviewers/reviewer.decorators';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { z } from 'zod';
import { ApproveBody, BatchBody, DenyBody, EditBody } from './review-commands';
import { DecisionResult, ReviewsService } from './reviews.service';

const approvalId = new ParseUUIDPipe({ version: undefined, errorHttpStatusCode: 400 });

/** The reviewer's decisions. The decider is always the token's reviewer. */
@Controller('approvals')
@Authenticated()
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Post(':id/approve')
  @HttpCode(200)
  approve(
    @Reviewer() reviewer: AuthenticatedReviewer,
    @Param('id', approvalId) id: string,
    @Body(new ZodPipe(ApproveBody)) body: z.output<typeof ApproveBody>,
  ): Promise<DecisionResult> {
    return this.reviews.decide(reviewer, id, { act: 'approve', ...body });
  }

  @Post(':id/deny')
  @HttpCode(200)
  deny(
    @Reviewer() reviewer: AuthenticatedReviewer,
    @Param('id', approvalId) id: string,
    @Body(new ZodPipe(DenyBody)) body: z.output<typeof DenyBody>,
  ): Promise<DecisionResult> {
    return this.reviews.decide(reviewer, id, { act: 'deny', ...body });
  }

  @Post(':id/edit')
  @HttpCode(200)
  edit(
    @Reviewer() reviewer: AuthenticatedReviewer,
    @Param('id', approvalId) id: string,
    @Body(new ZodPipe(EditBody)) body: z.output<typeof EditBody>,
  ): Promise<DecisionResult> {
    return this.reviews.decide(reviewer, id, { act: 'edit', ...body });
  }

  @Post('batch')
  @HttpCode(200)
  async batch(@Reviewer() reviewer: AuthenticatedReviewer, @Body(new ZodPipe(BatchBody)) body: z.output<typeof BatchBody>): Promise<BatchAnswer> {
    return { results: await this.reviews.decideBatch(reviewer, body.items) };
  }
}
