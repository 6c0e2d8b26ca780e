import { ZodPipe } from '@hitl/service-kit';
import { ApiParam } from '@nestjs/swagger';
import { z } from 'zod';

/** `:id` of /approvals/:id routes: a UUID, else 400 naming `id` (never a database error). */
export const ApprovalId = z.uuid({ error: 'must be an approval id (a UUID)' });

export const approvalIdPipe = new ZodPipe(ApprovalId);

/** The `:id` of /approvals/:id routes, as the OpenAPI document shows it. */
export const ApiApprovalId = () => ApiParam({ name: 'id', description: 'The approval id (UUID).', format: 'uuid' });
