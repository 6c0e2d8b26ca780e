import { databaseConfig, httpConfig, kafkaConfig, logConfig } from '@hitl/service-kit';
import { z } from 'zod';

export const escalationConfig = z.object({
  ...kafkaConfig({ clientId: 'hitl-escalation' }).shape,
  ...databaseConfig.shape,
  ...httpConfig({ port: 3002 }).shape,
  ...logConfig.shape,
});

export type EscalationConfig = z.output<typeof escalationConfig>;
