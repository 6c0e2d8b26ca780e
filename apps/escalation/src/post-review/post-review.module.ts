import { Module } from '@nestjs/common';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { ReviewsModule } from '../reviews/reviews.module';
import { PostReviewController } from './post-review.controller';
import { PostReviewService } from './post-review.service';

/** Human on the loop: rolling back actions that already ran. */
@Module({ imports: [ReviewersModule, ReviewsModule], controllers: [PostReviewController], providers: [PostReviewService] })
export class PostReviewModule {}
