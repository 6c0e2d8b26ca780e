import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { AuditConsumer } from './audit.consumer';
import { IngestionService } from './ingestion.service';

@Module({ imports: [ManifestModule], controllers: [AuditConsumer], providers: [IngestionService] })
export class IngestionModule {}
