import { Module } from '@nestjs/common';
import { ReportsModule } from '../reports/reports.module';
import { SchedulePoller } from './schedule.poller';

@Module({ imports: [ReportsModule], providers: [SchedulePoller], exports: [SchedulePoller] })
export class ScheduleModule {}
