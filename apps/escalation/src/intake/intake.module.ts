import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { ApprovalIntakeConsumer } from './intake.consumer';
import { ApprovalIntakeService } from './intake.service';

/** approval.requested in: each request becomes an approval, placed with a reviewer. */
@Module({ imports: [ManifestModule, NotificationsModule], controllers: [ApprovalIntakeConsumer], providers: [ApprovalIntakeService] })
export class ApprovalIntakeModule {}
