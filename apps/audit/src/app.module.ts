import { Module } from '@nestjs/common';
import { IngestionModule } from './ingestion/ingestion.module';
import { QueryModule } from './query/query.module';
import { RetentionModule } from './retention/retention.module';
import { VerifyApiModule } from './verify/verify-api.module';
import { VerifyModule } from './verify/verify.module';

/** The audit's feature modules. Health, metrics, database, Kafka and logs come from @hitl/service-kit. */
@Module({ imports: [IngestionModule, VerifyModule, VerifyApiModule, QueryModule, RetentionModule] })
export class AppModule {}
