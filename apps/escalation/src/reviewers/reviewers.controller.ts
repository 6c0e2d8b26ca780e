import { ZodPipe } from '@hitl/service-kit';
import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Put, Res } from '@nestjs/common';
import { DirectoryService } from './directory.service';
import { AuthenticatedReviewer, ReviewerProfile, profileOf } from './reviewer-profile';
import { AdminOnly, Reviewer } from './reviewer.decorators';
import { ReviewerFields, ReviewerId, ReviewerPatch } from './reviewer.schema';
import { reviewerNotFound } from './reviewers.errors';
import { ReviewersRepository } from './reviewers.repository';

const id = new ZodPipe(ReviewerId);

/**
 * The admin API over reviewers. Every change goes through the DirectoryService: on the
 * audit record, and never widening the admin's own authority (403 `self_widening`). Tokens
 * are issued here and shown once; only their hash is kept. Reviewers listed in the reviewers
 * file are reset to it at the next start.
 */
@Controller('reviewers')
@AdminOnly()
export class ReviewersController {
  constructor(
    private readonly reviewers: ReviewersRepository,
    private readonly directory: DirectoryService,
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
    const { reviewer, created } = await this.directory.put(admin, reviewerId, fields);
    response.status(created ? 201 : 200);
    return profileOf(reviewer);
  }

  @Patch(':id')
  async patch(
    @Param('id', id) reviewerId: string,
    @Body(new ZodPipe(ReviewerPatch)) patch: ReviewerPatch,
    @Reviewer() admin: AuthenticatedReviewer,
  ): Promise<ReviewerProfile> {
    return profileOf(await this.directory.patch(admin, reviewerId, patch));
  }

  /** A new random token, returned this once; the previous token stops working, and the reviewer is told. */
  @Post(':id/token')
  @Header('Cache-Control', 'no-store')
  async issueToken(@Param('id', id) reviewerId: string, @Reviewer() admin: AuthenticatedReviewer): Promise<{ id: string; token: string }> {
    return { id: reviewerId, token: await this.directory.issueToken(admin, reviewerId) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', id) reviewerId: string, @Reviewer() admin: AuthenticatedReviewer): Promise<void> {
    await this.directory.remove(admin, reviewerId);
  }
}
