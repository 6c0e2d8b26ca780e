import { Module } from '@nestjs/common';
import { IngestionModule } from './ingestion/ingestion.module';
import { VerifyModule } from './verify/verify.module';

/** The audit's feature modules. Health, metrics, database, Kafka and logs come from @hitl/service-kit. */
@Module({ imports: [IngestionModule, VerifyModule] })
export class AppModule {}
