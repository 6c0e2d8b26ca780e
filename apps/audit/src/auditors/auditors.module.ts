import { Module } from '@nestjs/common';
import { AuditorsRegistry } from './auditors.registry';

/** Auditors: the file loaded at start and bearer-token authentication. Modules whose routes use `@Audited()` import this one. */
@Module({ providers: [AuditorsRegistry], exports: [AuditorsRegistry] })
export class AuditorsModule {}
