import { serviceConfig } from '@hitl/service-kit';
import { z } from 'zod';

export const routerConfig = serviceConfig({ clientId: 'hitl-router', port: 3001 }).extend({
  /** The action manifest in force; SIGHUP reloads it. Relative paths are from the working directory. */
  MANIFEST_PATH: z.string().min(1).default('manifests/refunds.yaml'),
});

export type RouterConfig = z.output<typeof routerConfig>;
