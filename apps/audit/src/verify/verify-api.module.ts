import { Module } from '@nestjs/common';
import { AuditorsModule } from '@hitl/service-kit';
import { HeadSigner } from './head-signer';
import { HeadService } from './head.service';
import { VerifyController } from './verify.controller';
import { VerifyModule } from './verify.module';

/** GET /audit/verify, and signed chain heads (GET /audit/head, POST /audit/head/check). */
@Module({ imports: [VerifyModule, AuditorsModule], controllers: [VerifyController], providers: [HeadSigner, HeadService] })
export class VerifyApiModule {}
