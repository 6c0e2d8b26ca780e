import { Module } from '@nestjs/common';
import { DriftModule } from './drift/drift.module';
import { OutcomesModule } from './outcomes/outcomes.module';
import { ReportsModule } from './reports/reports.module';
import { ScheduleModule } from './schedule/schedule.module';
import { ReplayModule } from './replay/replay.module';

/** The calibrator's feature modules. Health, metrics, database, Kafka and logs come from @hitl/service-kit. */
@Module({ imports: [OutcomesModule, ReportsModule, ScheduleModule, ReplayModule, DriftModule] })
export class AppModule {}
