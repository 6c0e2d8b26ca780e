import { serviceConfig } from '@hitl/service-kit';
import { z } from 'zod';

export const auditConfig = serviceConfig({ clientId: 'hitl-audit', port: 3003 });

export type AuditConfig = z.output<typeof auditConfig>;
