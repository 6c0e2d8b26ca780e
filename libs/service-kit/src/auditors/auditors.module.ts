import { Module } from '@nestjs/common';
import { AuditAdminGuard, AuditorAuthGuard } from './auditor-auth.guard';
import { AuditorsRegistry } from './auditors.registry';

/** Auditors: the file loaded at start and bearer-token authentication. Modules whose routes use `@Audited()` import this one. */
@Module({ providers: [AuditorsRegistry, AuditorAuthGuard, AuditAdminGuard], exports: [AuditorsRegistry, AuditorAuthGuard, AuditAdminGuard] })
export class AuditorsModule {}
