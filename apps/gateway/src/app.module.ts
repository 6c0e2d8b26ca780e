import { Module } from '@nestjs/common';
import { DecisionsModule } from './decisions/decisions.module';

/** The gateway's feature modules. Health, metrics, database, Kafka and logs come from @hitl/service-kit. */
@Module({ imports: [DecisionsModule] })
export class AppModule {}
