import { manifestConfig, serviceConfig } from '@hitl/service-kit';
import { z } from 'zod';

/** The audit reads MANIFEST_PATH for each action's `redact` paths. */
export const auditConfig = serviceConfig({ clientId: 'hitl-audit', port: 3003 }).extend(manifestConfig.shape);

export type AuditConfig = z.output<typeof auditConfig>;
