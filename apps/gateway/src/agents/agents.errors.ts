// The gateway's authentication errors, each with a stable code clients can match on.
import { UnauthorizedException } from '@nestjs/common';

export const missingToken = () =>
  new UnauthorizedException({ statusCode: 401, code: 'token_missing', message: 'missing bearer token: send Authorization: Bearer <agent token>' });

export const malformedAuthorization = () =>
  new UnauthorizedException({ statusCode: 401, code: 'token_malformed', message: 'the Authorization header must be "Bearer <token>"' });

export const unknownToken = () =>
  new UnauthorizedException({
    statusCode: 401,
    code: 'token_unknown',
    message: 'unknown agent token (the agent registry lists no gateway_token_sha256 for it)',
  });
