import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { AuditConsumer } from './audit.consumer';
import { StreamModule } from '../stream/stream.module';
import { IngestionService } from './ingestion.service';

@Module({ imports: [ManifestModule, StreamModule], controllers: [AuditConsumer], providers: [IngestionService] })
export class IngestionModule {}
