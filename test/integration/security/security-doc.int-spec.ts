// docs/security.md is generated from the authorization matrix: it fails here when stale.
import { readFileSync } from 'node:fs';
import { SECURITY_DOC_PATH, securityDoc } from './write-security-doc';

it('docs/security.md is what the authorization matrix renders (regenerate with write-security-doc.ts)', () => {
  expect(readFileSync(SECURITY_DOC_PATH, 'utf8')).toBe(securityDoc());
});
