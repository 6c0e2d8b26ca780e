import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { ReviewsModule } from '../reviews/reviews.module';
import { ApprovalUpdatedConsumer } from './approval-updated.consumer';
import { ClarificationTimer } from './clarification-timer.service';
import { ClarificationsController } from './clarifications.controller';
import { ClarificationsService } from './clarifications.service';

/**
 * Questions to the agent (HTTP) and its answers (Kafka), with the approval's clocks paused in
 * between, for at most the manifest's clarification_timeout_seconds (the timer).
 */
@Module({
  imports: [ReviewersModule, ReviewsModule, NotificationsModule],
  controllers: [ClarificationsController, ApprovalUpdatedConsumer],
  providers: [ClarificationsService, ClarificationTimer],
})
export class ClarificationsModule {}
