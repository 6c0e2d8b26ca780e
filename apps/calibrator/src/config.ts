import { serviceConfig } from '@hitl/service-kit';
import { z } from 'zod';

export const calibratorConfig = serviceConfig({ clientId: 'hitl-calibrator', port: 3004 });

export type CalibratorConfig = z.output<typeof calibratorConfig>;
