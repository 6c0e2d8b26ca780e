import { databaseConfig, httpConfig, kafkaConfig, logConfig } from '@hitl/service-kit';
import { z } from 'zod';

export const routerConfig = z.object({
  ...kafkaConfig({ clientId: 'hitl-router' }).shape,
  ...databaseConfig.shape,
  ...httpConfig({ port: 3001 }).shape,
  ...logConfig.shape,
});

export type RouterConfig = z.output<typeof routerConfig>;
