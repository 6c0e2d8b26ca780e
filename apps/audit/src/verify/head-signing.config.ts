import { KeyObject, createPrivateKey } from 'node:crypto';
import { z } from 'zod';

const HOW = 'must be an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519)';

/** An Ed25519 private key from PEM text (literal "\n" accepted, as env files often write it), or why not. */
export function signingKeyFromPem(pem: string): { key: KeyObject } | { problem: string } {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem);
  } catch {
    // The decoder's message is no help, and the value is a secret: say what is expected.
    return { problem: HOW };
  }
  return key.asymmetricKeyType === 'ed25519' ? { key } : { problem: `${HOW}, not ${key.asymmetricKeyType ?? 'another kind of'} key` };
}

/**
 * The key chain heads are signed with: AUDIT_SIGNING_KEY (the PEM itself) or
 * AUDIT_SIGNING_KEY_FILE (a file holding it, read at start). Neither: no head export.
 */
export const signingConfig = z.object({
  AUDIT_SIGNING_KEY: z
    .string()
    .transform((pem, ctx) => {
      const parsed = signingKeyFromPem(pem);
      if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
      return 'key' in parsed ? parsed.key : z.NEVER;
    })
    .optional(),
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
});
export type SigningConfig = z.output<typeof signingConfig>;

/** For the service's schema: one source of the key at most. */
export function oneSigningKey(config: { AUDIT_SIGNING_KEY?: unknown; AUDIT_SIGNING_KEY_FILE?: unknown }, ctx: z.RefinementCtx): void {
  if (config.AUDIT_SIGNING_KEY !== undefined && config.AUDIT_SIGNING_KEY_FILE !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['AUDIT_SIGNING_KEY_FILE'], message: 'is set as well as AUDIT_SIGNING_KEY; set one' });
  }
}
