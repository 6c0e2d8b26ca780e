import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { ReviewsController } from './reviews.controller';
import { ReviewsService } from './reviews.service';

/** A reviewer's acts on an approval; every one (here, clarifications, rollbacks, links) runs through ReviewsService. */
@Module({ imports: [ManifestModule, ReviewersModule], controllers: [ReviewsController], providers: [ReviewsService], exports: [ReviewsService] })
export class ReviewsModule {}
