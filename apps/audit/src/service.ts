import { ServiceDefinition } from '@hitl/service-kit';
import { AppModule } from './app.module';
import { auditWriterRole } from './audit-writer-role';
import { AuditConfig, auditConfig } from './config';
import { CreateMessagingTables1795313552976 } from './migrations/1795313552976-create-messaging-tables';
import { CreateAuditEvents1795313554000 } from './migrations/1795313554000-create-audit-events';
import { RecordSignatures1795313556000 } from './migrations/1795313556000-record-signatures';
import { OutboxAnyBytes1795313557000 } from './migrations/1795313557000-outbox-any-bytes';
import { DropActionIndex1795313558000 } from './migrations/1795313558000-drop-action-index';
import { CreateReaderViews1795313559000 } from './migrations/1795313559000-create-reader-views';
import { RefusedCopiesBesideTrusted1795313566000 } from './migrations/1795313566000-refused-copies-beside-trusted';

/** The audit as the shared plumbing sees it; main.ts runs it, tests build it with their own schema. */
export const auditService: ServiceDefinition<AuditConfig> = {
  name: 'audit',
  schema: 'audit',
  module: AppModule,
  config: auditConfig,
  // The record keeps every event, marking those whose signature did not verify.
  signatures: 'record',
  // Every record it chains is published on audit.recorded, signed with its key (SIGNING_KEY_FILE, required).
  signs: 'audit',
  migrations: [
    CreateMessagingTables1795313552976,
    CreateAuditEvents1795313554000,
    RecordSignatures1795313556000,
    OutboxAnyBytes1795313557000,
    DropActionIndex1795313558000,
    CreateReaderViews1795313559000,
    RefusedCopiesBesideTrusted1795313566000,
  ],
  // Migrations run as the owner; ingestion and queries go through a role that may only INSERT and SELECT.
  runtimeRole: auditWriterRole,
  runtimePassword: (config) => config.AUDIT_WRITER_PASSWORD_FILE?.text(),
  consumer: { partitionsConsumedConcurrently: 3, chunkSize: 500 },
};
