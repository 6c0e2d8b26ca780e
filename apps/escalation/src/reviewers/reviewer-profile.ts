import { ReviewerEntity } from './reviewer.entity';

/** A reviewer as handlers see them once authenticated: everything but the token hash. */
export type AuthenticatedReviewer = Omit<ReviewerEntity, 'token_hash'>;

/** A reviewer as the admin API shows them: whether a token is set, never its hash. */
export type ReviewerProfile = AuthenticatedReviewer & { has_token: boolean };

export function withoutToken(reviewer: ReviewerEntity): AuthenticatedReviewer {
  const { token_hash: _hash, ...rest } = reviewer;
  return rest;
}

export function profileOf(reviewer: ReviewerEntity): ReviewerProfile {
  return { ...withoutToken(reviewer), has_token: reviewer.token_hash !== null };
}
