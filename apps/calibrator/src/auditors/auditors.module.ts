import { Module } from '@nestjs/common';
import { AuditorAuthGuard } from './auditor-auth.guard';
import { AuditorsRegistry } from './auditors.registry';

/** Auditors (AUDITORS_PATH) and bearer-token authentication; modules whose routes use `@Audited()` import this one. */
@Module({ providers: [AuditorsRegistry, AuditorAuthGuard], exports: [AuditorsRegistry, AuditorAuthGuard] })
export class AuditorsModule {}
