import { Module } from '@nestjs/common';
import { AuditStream } from './audit-stream';

/** The audit's stream for analysts (audit.recorded): what ingestion and retention chain, published. */
@Module({ providers: [AuditStream], exports: [AuditStream] })
export class StreamModule {}
