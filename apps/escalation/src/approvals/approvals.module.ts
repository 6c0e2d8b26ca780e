import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { ApprovalRequestedConsumer } from './approval-requested.consumer';
import { ApprovalsService } from './approvals.service';

@Module({ imports: [ManifestModule], controllers: [ApprovalRequestedConsumer], providers: [ApprovalsService], exports: [ApprovalsService] })
export class ApprovalsModule {}
