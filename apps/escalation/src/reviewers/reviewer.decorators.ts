import { Controller, ExecutionContext, UseGuards, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiBearerAuth, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminGuard, ReviewerAuthGuard, ReviewerRequest } from './reviewer-auth.guard';

/** Any authenticated reviewer (401 otherwise). The module using it imports ReviewersModule. */
export const Authenticated = () => applyDecorators(UseGuards(ReviewerAuthGuard));

/**
 * A controller of the reviewer's API at `path`: every route `@Authenticated()`, and listed
 * in the OpenAPI document under `tag` as needing a bearer token.
 */
export const ReviewerApi = (tag: string, path: string) =>
  applyDecorators(
    ApiTags(tag),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No, a malformed or an unknown bearer token (`token_missing`, `token_malformed`, `token_unknown`).' }),
    Controller(path),
    Authenticated(),
  );

/** Admins only: 401 without a valid token, 403 for anyone else. */
export const AdminOnly = () => applyDecorators(UseGuards(ReviewerAuthGuard, AdminGuard));

/**
 * The authenticated reviewer: the only source of a caller's identity (never a body field).
 * Needs `@Authenticated()` or `@AdminOnly()` on the route or its controller.
 */
export const Reviewer = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const reviewer = context.switchToHttp().getRequest<ReviewerRequest>().reviewer;
  if (!reviewer) throw new Error('@Reviewer() used on a route without @Authenticated() or @AdminOnly()');
  return reviewer;
});

/** The hash of the caller's bearer token, for what must notice when it is revoked (live streams). */
export const TokenHash = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const tokenHash = context.switchToHttp().getRequest<ReviewerRequest>().tokenHash;
  if (!tokenHash) throw new Error('@TokenHash() used on a route without @Authenticated() or @AdminOnly()');
  return tokenHash;
});
