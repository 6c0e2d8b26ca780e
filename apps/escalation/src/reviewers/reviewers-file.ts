// The reviewers file (REVIEWERS_PATH): the team, loaded at start. Pure: text and the
// token variables in, reviewers (with token hashes) out, or every problem at once.
import { FieldIssue, TokenFileError, parseTokenFile, tokenFields } from '@hitl/service-kit';
import { z } from 'zod';
import { REVIEWER_TOKEN_PREFIX } from '../config';
import { ReviewerFields, ReviewerId } from './reviewer.schema';

const ReviewerEntry = z
  .strictObject({ id: ReviewerId, ...ReviewerFields.shape, ...tokenFields(REVIEWER_TOKEN_PREFIX) })
  .refine((entry) => entry.token_hash === undefined || entry.token_env === undefined, {
    error: 'gives both token_hash and token_env; give one',
    path: ['token_env'],
  });

export interface ReviewerSeed {
  id: string;
  fields: ReviewerFields;
  /** SHA-256 hex of the reviewer's token; null when the file gives none (a stored one is kept). */
  tokenHash: string | null;
}

export interface ReviewersFile {
  reviewers: ReviewerSeed[];
  /** Reviewers whose `token_env` variable is not set: they keep their stored token, if any. */
  unsetTokenVariables: { id: string; variable: string }[];
}

export class ReviewersFileError extends TokenFileError {
  constructor(issues: readonly FieldIssue[]) {
    super('reviewers file', issues);
    this.name = 'ReviewersFileError';
  }
}

/**
 * Parses and validates the reviewers file. `tokens` holds the REVIEWER_TOKEN_* variables
 * (from the config, never from process.env). Throws a ReviewersFileError naming each
 * bad reviewer by index and id, and the field.
 */
export function parseReviewersFile(text: string, tokens: Readonly<Record<string, string>>): ReviewersFile {
  const file = parseTokenFile(text, { list: 'reviewers', entry: ReviewerEntry, tokens, invalid: (issues) => new ReviewersFileError(issues) });
  return {
    reviewers: file.entries.map(({ entry: { id, ...fields }, tokenHash }) => ({ id, fields, tokenHash })),
    unsetTokenVariables: file.unsetTokenVariables,
  };
}
