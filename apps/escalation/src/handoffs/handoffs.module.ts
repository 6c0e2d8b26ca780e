import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { HandoffRequestedConsumer } from './handoff-requested.consumer';
import { HandoffTimer } from './handoff-timer.service';
import { HandoffsController } from './handoffs.controller';
import { HandoffsService } from './handoffs.service';

/** "Get a human": agents' requests opened (Kafka), taken over and returned by people (HTTP), moved up the path by a timer; each step on handoff.updated through the outbox. */
@Module({
  imports: [ReviewersModule, ManifestModule, NotificationsModule],
  controllers: [HandoffsController, HandoffRequestedConsumer],
  providers: [HandoffsService, HandoffTimer],
})
export class HandoffsModule {}
