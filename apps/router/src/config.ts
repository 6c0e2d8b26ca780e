import { manifestConfig, serviceConfig } from '@hitl/service-kit';
import { z } from 'zod';

/** The router also reads MANIFEST_PATH (the action manifest in force; SIGHUP and a change of its files reload it). */
export const routerConfig = serviceConfig({ clientId: 'hitl-router', port: 3001 }).extend(manifestConfig.shape);

export type RouterConfig = z.output<typeof routerConfig>;
