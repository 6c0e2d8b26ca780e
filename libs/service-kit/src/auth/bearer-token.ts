// Bearer tokens as the services use them (reviewers in the escalation, auditors in the
// audit): only a token's SHA-256 is kept and looked up. Pure helpers, no framework.
import { createHash, randomBytes } from 'node:crypto';

/** Tokens shorter than this are refused: a bearer token is a password nobody types. */
export const MIN_TOKEN_LENGTH = 16;

/** How a people file (reviewers, auditors) writes a token's hash: `sha256:` and 64 lowercase hex digits. */
export const FILE_TOKEN_HASH = /^sha256:[0-9a-f]{64}$/;

/** SHA-256 hex of a token: what is stored and looked up, never the token itself. */
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

/**
 * The variables whose names start with `prefix` (e.g. `AUDITOR_TOKEN_`), gathered under
 * `into`, for a config schema's `z.preprocess`: a people file then names the variable
 * holding each token (`token_env`) and reads it from the parsed config, never from
 * process.env, and cannot turn another variable (DATABASE_URL, say) into a login token.
 */
export function collectTokenVariables(prefix: string, into: string): (env: unknown) => unknown {
  return (env) => {
    if (typeof env !== 'object' || env === null) return env;
    const tokens = Object.entries(env).filter(([name, value]) => name.startsWith(prefix) && typeof value === 'string');
    return { ...env, [into]: Object.fromEntries(tokens) };
  };
}
