import { ServiceDefinition } from '@hitl/service-kit';
import { AppModule } from './app.module';
import { AuditConfig, auditConfig } from './config';
import { CreateMessagingTables1795313552976 } from './migrations/1795313552976-create-messaging-tables';

/** The audit as the shared plumbing sees it; main.ts runs it, tests build it with their own schema. */
export const auditService: ServiceDefinition<AuditConfig> = {
  name: 'audit',
  schema: 'audit',
  module: AppModule,
  config: auditConfig,
  migrations: [CreateMessagingTables1795313552976],
};
