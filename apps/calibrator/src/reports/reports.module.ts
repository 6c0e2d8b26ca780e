import { AuditorsModule, ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { ReportService } from './report.service';
import { ReportsController } from './reports.controller';

@Module({ imports: [ManifestModule, AuditorsModule], controllers: [ReportsController], providers: [ReportService], exports: [ReportService] })
export class ReportsModule {}
