import { AuditorsModule, ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { OwnerAlertRoutesModule } from '../drift/owner-alert-routes.module';
import { ReportService } from './report.service';
import { ReportsController } from './reports.controller';

@Module({
  imports: [ManifestModule, AuditorsModule, OwnerAlertRoutesModule],
  controllers: [ReportsController],
  providers: [ReportService],
  exports: [ReportService],
})
export class ReportsModule {}
