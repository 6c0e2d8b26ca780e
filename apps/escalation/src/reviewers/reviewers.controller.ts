import { SERVICE_LOGGER, ZodPipe, hashToken, newToken } from '@hitl/service-kit';
import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, Patch, Post, Put, Res } from '@nestjs/common';
import { Logger } from 'pino';
import { AuthenticatedReviewer, ReviewerProfile, profileOf } from './reviewer-profile';
import { AdminOnly, Reviewer } from './reviewer.decorators';
import { ReviewerFields, ReviewerId, ReviewerPatch } from './reviewer.schema';
import { reviewerNotFound } from './reviewers.errors';
import { ReviewersRepository } from './reviewers.repository';

const id = new ZodPipe(ReviewerId);

/**
 * The admin API over reviewers. Tokens are issued here and shown once; only their hash
 * is kept. Reviewers listed in the reviewers file are reset to it at the next start.
 */
@Controller('reviewers')
@AdminOnly()
export class ReviewersController {
  constructor(
    private readonly reviewers: ReviewersRepository,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  async list(): Promise<ReviewerProfile[]> {
    return (await this.reviewers.list()).map(profileOf);
  }

  @Get(':id')
  async show(@Param('id', id) reviewerId: string): Promise<ReviewerProfile> {
    const reviewer = await this.reviewers.find(reviewerId);
    if (!reviewer) throw reviewerNotFound(reviewerId);
    return profileOf(reviewer);
  }

  /** Creates (201) or replaces (200) a reviewer; their token, if any, is kept. */
  @Put(':id')
  async put(
    @Param('id', id) reviewerId: string,
    @Body(new ZodPipe(ReviewerFields)) fields: ReviewerFields,
    @Reviewer() admin: AuthenticatedReviewer,
    @Res({ passthrough: true }) response: { status(code: number): unknown },
  ): Promise<ReviewerProfile> {
    const { reviewer, created } = await this.reviewers.put(reviewerId, fields);
    response.status(created ? 201 : 200);
    this.logger.info({ reviewer: reviewerId, by: admin.id }, created ? 'reviewer created' : 'reviewer replaced');
    return profileOf(reviewer);
  }

  @Patch(':id')
  async patch(
    @Param('id', id) reviewerId: string,
    @Body(new ZodPipe(ReviewerPatch)) patch: ReviewerPatch,
    @Reviewer() admin: AuthenticatedReviewer,
  ): Promise<ReviewerProfile> {
    const reviewer = await this.reviewers.patch(reviewerId, patch);
    if (!reviewer) throw reviewerNotFound(reviewerId);
    this.logger.info({ reviewer: reviewerId, by: admin.id, fields: Object.keys(patch) }, 'reviewer changed');
    return profileOf(reviewer);
  }

  /** A new random token, returned this once; the previous token stops working. */
  @Post(':id/token')
  @Header('Cache-Control', 'no-store')
  async issueToken(@Param('id', id) reviewerId: string, @Reviewer() admin: AuthenticatedReviewer): Promise<{ id: string; token: string }> {
    const token = newToken();
    if (!(await this.reviewers.setTokenHash(reviewerId, hashToken(token)))) throw reviewerNotFound(reviewerId);
    this.logger.info({ reviewer: reviewerId, by: admin.id }, 'reviewer token issued');
    return { id: reviewerId, token };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', id) reviewerId: string, @Reviewer() admin: AuthenticatedReviewer): Promise<void> {
    if (!(await this.reviewers.remove(reviewerId))) throw reviewerNotFound(reviewerId);
    this.logger.info({ reviewer: reviewerId, by: admin.id }, 'reviewer deleted');
  }
}
