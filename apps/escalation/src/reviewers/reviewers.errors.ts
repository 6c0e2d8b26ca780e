// The reviewers feature's HTTP errors, each with a stable code clients can match on.
import { DirectoryRefusal } from '@hitl/approvals';
import { ForbiddenException, HttpException, NotFoundException, UnauthorizedException } from '@nestjs/common';

export const missingToken = () =>
  new UnauthorizedException({ statusCode: 401, code: 'token_missing', message: 'missing bearer token: send Authorization: Bearer <token>' });

export const malformedAuthorization = () =>
  new UnauthorizedException({ statusCode: 401, code: 'token_malformed', message: 'the Authorization header must be "Bearer <token>"' });

export const unknownToken = () => new UnauthorizedException({ statusCode: 401, code: 'token_unknown', message: 'unknown or revoked token' });

export const adminOnly = () => new ForbiddenException({ statusCode: 403, code: 'admin_only', message: 'only an admin may do this' });

export const reviewerNotFound = (id: string) => new NotFoundException({ statusCode: 404, code: 'reviewer_not_found', message: `no reviewer ${id}` });

/** A directory change the rules refuse (libs/approvals directory.ts): `self_widening` 403, `alias_taken` 409. */
export const directoryRefused = (refusal: DirectoryRefusal) =>
  new HttpException({ statusCode: refusal.status, code: refusal.code, message: refusal.message }, refusal.status);
