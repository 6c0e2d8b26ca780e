import { ExecutionContext, UseGuards, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuditAdminGuard, AuditorAuthGuard, AuditorRequest } from './auditor-auth.guard';

const documented = () => [
  ApiBearerAuth(),
  ApiUnauthorizedResponse({ description: 'No, a malformed or an unknown auditor token (`token_missing`, `token_malformed`, `token_unknown`).' }),
];

/** Any auditor (401 otherwise); each route then checks the workspaces it reads. The module imports AuditorsModule. */
export const Audited = () => applyDecorators(UseGuards(AuditorAuthGuard), ...documented());

/** Auditors of every workspace only: 401 without a valid token, 403 for anyone else. */
export const AuditAdminOnly = () => applyDecorators(UseGuards(AuditorAuthGuard, AuditAdminGuard), ...documented());

/** The authenticated auditor: the only source of a caller's identity and scope. */
export const CurrentAuditor = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const auditor = context.switchToHttp().getRequest<AuditorRequest>().auditor;
  if (!auditor) throw new Error('@CurrentAuditor() used on a route without @Audited() or @AuditAdminOnly()');
  return auditor;
});
