import { databaseConfig, httpConfig, kafkaConfig, logConfig } from '@hitl/service-kit';
import { z } from 'zod';

export const auditConfig = z.object({
  ...kafkaConfig({ clientId: 'hitl-audit' }).shape,
  ...databaseConfig.shape,
  ...httpConfig({ port: 3003 }).shape,
  ...logConfig.shape,
});

export type AuditConfig = z.output<typeof auditConfig>;
