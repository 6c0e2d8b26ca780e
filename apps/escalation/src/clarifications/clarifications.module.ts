import { Module } from '@nestjs/common';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { ApprovalUpdatedConsumer } from './approval-updated.consumer';
import { ClarificationsController } from './clarifications.controller';
import { ClarificationsService } from './clarifications.service';

/** Questions to the agent (HTTP) and its answers (Kafka), with the approval's clocks paused in between. */
@Module({ imports: [ReviewersModule], controllers: [ClarificationsController, ApprovalUpdatedConsumer], providers: [ClarificationsService] })
export class ClarificationsModule {}
