import { serviceConfig } from '@hitl/service-kit';
import { z } from 'zod';

export const escalationConfig = serviceConfig({ clientId: 'hitl-escalation', port: 3002 });

export type EscalationConfig = z.output<typeof escalationConfig>;
