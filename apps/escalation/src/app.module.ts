import { Module } from '@nestjs/common';

/** The escalation's feature modules. Health, metrics, database, Kafka and logs come from @hitl/service-kit. */
@Module({})
export class AppModule {}
