import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { ApprovalRequestedConsumer } from './approval-requested.consumer';
import { ApprovalsService } from './approvals.service';

@Module({ imports: [ManifestModule, NotificationsModule], controllers: [ApprovalRequestedConsumer], providers: [ApprovalsService], exports: [ApprovalsService] })
export class ApprovalsModule {}
