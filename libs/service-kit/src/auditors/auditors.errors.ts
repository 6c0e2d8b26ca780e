// Who may ask: the auditor APIs' authentication and scope errors, each with a stable code.
import { ForbiddenException, UnauthorizedException } from '@nestjs/common';

export const missingToken = () =>
  new UnauthorizedException({ statusCode: 401, code: 'token_missing', message: 'missing bearer token: send Authorization: Bearer <token>' });

export const malformedAuthorization = () =>
  new UnauthorizedException({ statusCode: 401, code: 'token_malformed', message: 'the Authorization header must be "Bearer <token>"' });

export const unknownToken = () => new UnauthorizedException({ statusCode: 401, code: 'token_unknown', message: 'unknown auditor token' });

export const wrongWorkspace = (workspace: string | null) =>
  new ForbiddenException({
    statusCode: 403,
    code: 'wrong_workspace',
    message:
      workspace === null ? 'only an auditor of every workspace ("*") may read or run this over every workspace' : `you may not read workspace ${workspace}`,
  });

export const auditAdminOnly = () =>
  new ForbiddenException({ statusCode: 403, code: 'admin_only', message: 'only an auditor of every workspace ("*") may do this' });
