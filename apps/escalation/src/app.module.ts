import { Module } from '@nestjs/common';
import { ApprovalsModule } from './approvals/approvals.module';
import { DecisionsModule } from './decisions/decisions.module';
import { ReviewersModule } from './reviewers/reviewers.module';
import { SlaModule } from './sla/sla.module';

/** The escalation's feature modules. Health, metrics, database, Kafka and logs come from @hitl/service-kit. */
@Module({ imports: [ReviewersModule, ApprovalsModule, SlaModule, DecisionsModule] })
export class AppModule {}
