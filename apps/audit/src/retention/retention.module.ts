import { Module } from '@nestjs/common';
import { AuditorsModule } from '@hitl/service-kit';
import { StreamModule } from '../stream/stream.module';
import { VerifyModule } from '../verify/verify.module';
import { RetentionController } from './retention.controller';
import { RetentionJob } from './retention.job';
import { RetentionService } from './retention.service';

@Module({ imports: [AuditorsModule, VerifyModule, StreamModule], controllers: [RetentionController], providers: [RetentionService, RetentionJob] })
export class RetentionModule {}
