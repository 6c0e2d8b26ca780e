import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/**
 * Consent integrity: `sha256:` + hex SHA-256 of the RFC 8785 (JCS) canonical JSON of
 * `{ action, parameters }`. A reviewer's decision is bound to this hash; an executor
 * recomputes it and refuses to run on a mismatch.
 */
export function payloadHash(action: string, parameters: Record<string, unknown>): string {
  const canonical = canonicalJson({ action, parameters });
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
