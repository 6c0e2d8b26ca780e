import { bearerToken, hashToken } from '@hitl/service-kit';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AuthenticatedReviewer, withoutToken } from './reviewer-profile';
import { adminOnly, malformedAuthorization, missingToken, unknownToken } from './reviewers.errors';
import { ReviewersRepository } from './reviewers.repository';

/** The parts of an HTTP request and response the guards use. */
export interface ReviewerRequest {
  headers: Record<string, string | string[] | undefined>;
  reviewer?: AuthenticatedReviewer;
  /** The hash of the token the caller authenticated with (long-lived streams re-check it). */
  tokenHash?: string;
}
interface Response {
  setHeader(name: string, value: string): void;
}

/**
 * `Authorization: Bearer <token>` or 401. The token is hashed and looked up by its hash
 * (so no comparison of secrets happens here); the reviewer found is the caller.
 */
@Injectable()
export class ReviewerAuthGuard implements CanActivate {
  constructor(private readonly reviewers: ReviewersRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<ReviewerRequest>();
    const header = request.headers.authorization;
    const bearer = bearerToken(Array.isArray(header) ? header[0] : header);
    const tokenHash = 'token' in bearer ? hashToken(bearer.token) : null;
    const reviewer = tokenHash === null ? null : await this.reviewers.findByTokenHash(tokenHash);
    if (!reviewer) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="hitl"');
      if ('problem' in bearer) throw bearer.problem === 'missing' ? missingToken() : malformedAuthorization();
      throw unknownToken();
    }
    request.reviewer = withoutToken(reviewer);
    request.tokenHash = tokenHash ?? undefined;
    return true;
  }
}

/** 403 unless the authenticated caller is an admin; runs after ReviewerAuthGuard. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!context.switchToHttp().getRequest<ReviewerRequest>().reviewer?.admin) throw adminOnly();
    return true;
  }
}
