import { serviceConfig } from '@hitl/service-kit';
import { z } from 'zod';

export const routerConfig = serviceConfig({ clientId: 'hitl-router', port: 3001 });

export type RouterConfig = z.output<typeof routerConfig>;
