import { Module } from '@nestjs/common';
import { ClassificationsModule } from './classifications/classifications.module';
import { ClarificationsModule } from './clarifications/clarifications.module';
import { ApprovalIntakeModule } from './intake/intake.module';
import { HandoffsModule } from './handoffs/handoffs.module';
import { LiveModule } from './live/live.module';
import { LinksModule } from './notifications/links.module';
import { PausesModule } from './pauses/pauses.module';
import { PostReviewModule } from './post-review/post-review.module';
import { ProbationsModule } from './probations/probations.module';
import { QueuesModule } from './queues/queues.module';
import { ReviewerInboxModule } from './reviewer-inbox/reviewer-inbox.module';
import { ReviewersModule } from './reviewers/reviewers.module';
import { ReviewsModule } from './reviews/reviews.module';
import { SlaModule } from './sla/sla.module';

/** The escalation's feature modules. Health, metrics, database, Kafka and logs come from @hitl/service-kit. */
// LiveModule before ReviewerInboxModule: GET /approvals/stream must be routed before GET /approvals/:id.
@Module({
  imports: [
    LiveModule,
    ReviewersModule,
    ApprovalIntakeModule,
    SlaModule,
    ReviewsModule,
    ReviewerInboxModule,
    ClarificationsModule,
    PostReviewModule,
    LinksModule,
    QueuesModule,
    ClassificationsModule,
    PausesModule,
    ProbationsModule,
    HandoffsModule,
  ],
})
export class AppModule {}
