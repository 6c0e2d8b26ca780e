import { createHash, randomBytes } from 'node:crypto';

/** Tokens shorter than this are refused: a bearer token is a password nobody types. */
export const MIN_TOKEN_LENGTH = 16;

/** How the reviewers file writes a token's hash: `sha256:` and 64 lowercase hex digits. */
export const FILE_TOKEN_HASH = /^sha256:[0-9a-f]{64}$/;

/** SHA-256 hex of a token: what the reviewers table stores and looks tokens up by. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * A new random token: 256 bits, URL-safe. The `hitl_` prefix lets secret scanners
 * recognise a leaked one.
 */
export function newToken(): string {
  return `hitl_${randomBytes(32).toString('base64url')}`;
}

/**
 * The token of an `Authorization` header value: `Bearer <token>` (scheme in any case).
 * `missing` when there is no header, `malformed` when it is not a bearer token.
 */
export function bearerToken(header: string | undefined): { token: string } | { problem: 'missing' | 'malformed' } {
  if (header === undefined || header.trim() === '') return { problem: 'missing' };
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match ? { token: match[1] } : { problem: 'malformed' };
}
