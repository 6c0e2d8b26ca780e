import { databaseConfig, httpConfig, kafkaConfig, logConfig } from '@hitl/service-kit';
import { z } from 'zod';

export const calibratorConfig = z.object({
  ...kafkaConfig({ clientId: 'hitl-calibrator' }).shape,
  ...databaseConfig.shape,
  ...httpConfig({ port: 3004 }).shape,
  ...logConfig.shape,
});

export type CalibratorConfig = z.output<typeof calibratorConfig>;
