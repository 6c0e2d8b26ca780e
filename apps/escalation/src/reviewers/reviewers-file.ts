// The reviewers file (REVIEWERS_PATH): the team, loaded at start. Pure: text and the
// token variables in, reviewers (with token hashes) out, or every problem at once.
import { FieldIssue, fieldIssues, FILE_TOKEN_HASH, hashToken, MIN_TOKEN_LENGTH } from '@hitl/service-kit';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { REVIEWER_TOKEN_PREFIX } from '../config';
import { ReviewerFields, ReviewerId } from './reviewer.schema';

const TOKEN_VARIABLE = new RegExp(`^${REVIEWER_TOKEN_PREFIX}[A-Z0-9_]+$`);

const ReviewerEntry = z
  .strictObject({
    id: ReviewerId,
    ...ReviewerFields.shape,
    /** The token's hash, for tokens handed out elsewhere: `sha256:<hex>`. */
    token_hash: z.string().regex(FILE_TOKEN_HASH, { error: 'must be "sha256:" and 64 lowercase hex digits' }).optional(),
    /** A variable holding the token in clear (hashed at load); only REVIEWER_TOKEN_* variables reach the service. */
    token_env: z.string().regex(TOKEN_VARIABLE, { error: `must name a variable ${REVIEWER_TOKEN_PREFIX}<NAME> (upper-case letters, digits and _)` }).optional(),
  })
  .refine((entry) => entry.token_hash === undefined || entry.token_env === undefined, {
    error: 'gives both token_hash and token_env; give one',
    path: ['token_env'],
  });

/** The file's outline; each entry is then checked on its own, so every bad entry is named at once. */
const ReviewersDocument = z.strictObject(
  { reviewers: z.array(z.unknown(), { error: 'must be a list of reviewers' }) },
  { error: 'must be a mapping with a reviewers list' },
);

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

export class ReviewersFileError extends Error {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(`invalid reviewers file:\n${issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`);
    this.name = 'ReviewersFileError';
  }
}

/**
 * Parses and validates the reviewers file. `tokens` holds the REVIEWER_TOKEN_* variables
 * (from the config, never from process.env). Throws a ReviewersFileError naming each
 * bad reviewer by index and id, and the field.
 */
export function parseReviewersFile(text: string, tokens: Readonly<Record<string, string>>): ReviewersFile {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ReviewersFileError(doc.errors.map((e) => ({ field: '(root)', message: `YAML: ${e.message.split('\n')[0]}` })));
  }
  const outline = ReviewersDocument.safeParse(doc.toJS());
  if (!outline.success) throw new ReviewersFileError(fieldIssues(outline.error));

  const issues: FieldIssue[] = [];
  const reviewers: ReviewerSeed[] = [];
  const unsetTokenVariables: ReviewersFile['unsetTokenVariables'] = [];
  const firstWithId = new Map<string, number>();
  const firstWithToken = new Map<string, { index: number; id: string }>();
  outline.data.reviewers.forEach((raw, index) => {
    const entry = ReviewerEntry.safeParse(raw);
    const rawId = idOf(raw);
    // A second entry with one id is named even when the first is invalid.
    const twin = rawId === null ? undefined : firstWithId.get(rawId);
    if (twin !== undefined) issues.push({ field: `reviewers[${index}] (${rawId}).id`, message: `${rawId} is also reviewers[${twin}]` });
    else if (rawId !== null) firstWithId.set(rawId, index);
    if (!entry.success) {
      const named = `reviewers[${index}]${rawId === null ? '' : ` (${rawId})`}`;
      issues.push(...fieldIssues(entry.error).map((i) => ({ field: i.field === '(root)' ? named : `${named}.${i.field}`, message: i.message })));
      return;
    }
    const { id, token_hash, token_env, ...fields } = entry.data;
    const at = (field: string) => `reviewers[${index}] (${id}).${field}`;

    let tokenHash: string | null = token_hash ? token_hash.slice('sha256:'.length) : null;
    if (token_env !== undefined) {
      const token = tokens[token_env];
      if (token === undefined) unsetTokenVariables.push({ id, variable: token_env });
      else if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
        issues.push({ field: at('token_env'), message: `${token_env} must hold a token of at least ${MIN_TOKEN_LENGTH} characters without spaces` });
      } else tokenHash = hashToken(token);
    }
    if (tokenHash !== null) {
      const holder = firstWithToken.get(tokenHash);
      if (holder !== undefined) issues.push({ field: at(token_env !== undefined ? 'token_env' : 'token_hash'), message: `is the same token as reviewers[${holder.index}] (${holder.id})'s` });
      else firstWithToken.set(tokenHash, { index, id });
    }
    reviewers.push({ id, fields, tokenHash });
  });
  if (issues.length > 0) throw new ReviewersFileError(issues);
  return { reviewers, unsetTokenVariables };
}

/** An entry's id when it has a readable one, so an error names the reviewer even in a bad entry. */
function idOf(raw: unknown): string | null {
  const id = raw !== null && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : null;
}
