import { AuditorsModule, ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { DriftController } from './drift.controller';
import { DriftPoller, OwnerAlertDispatcher } from './drift.poller';
import { DriftService } from './drift.service';
import { OwnerAlertRoutesModule } from './owner-alert-routes.module';

@Module({
  imports: [ManifestModule, AuditorsModule, OwnerAlertRoutesModule],
  controllers: [DriftController],
  providers: [DriftService, DriftPoller, OwnerAlertDispatcher],
  exports: [DriftService],
})
export class DriftModule {}
