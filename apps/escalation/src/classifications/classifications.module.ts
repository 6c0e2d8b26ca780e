import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { ApprovalResolvedConsumer } from './approval-resolved.consumer';
import { ClassificationsController } from './classifications.controller';
import { ClassificationsService } from './classifications.service';

/**
 * Unknown actions, classified by a person: the router's blocks of them counted (Kafka) on one
 * item per workspace and action, read, classified into a suggested manifest change, or
 * dismissed (HTTP) by the manifest's `unknown_actions.classify_role`.
 */
@Module({
  imports: [ReviewersModule, ManifestModule],
  controllers: [ClassificationsController, ApprovalResolvedConsumer],
  providers: [ClassificationsService],
})
export class ClassificationsModule {}
