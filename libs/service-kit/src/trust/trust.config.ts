import { SIGNING_SERVICES, SigningService } from '@hitl/contracts';
import { z } from 'zod';

const SERVICE_KEYS_FORM = `must be a comma-separated list of <service>=<JWKS file>, services being ${SIGNING_SERVICES.join(', ')}`;

/** Keys and trust, read at start. Private keys come from files named here, never from the repository. */
export const trustConfig = z.object({
  /** The service's Ed25519 private key (PKCS#8 PEM or private JWK); every event it emits is signed with it. */
  SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** The services' public keys, trusted for what each service signs: `router=/keys/router.jwks.json,escalation=...`. */
  SERVICE_KEYS: z
    .string()
    .refine(
      (list) =>
        list.split(',').every((pair) => {
          const [service, file] = pair.split('=').map((part) => part?.trim());
          return SIGNING_SERVICES.includes(service as SigningService) && Boolean(file);
        }),
      { error: SERVICE_KEYS_FORM },
    )
    .transform((list) => {
      const files: Partial<Record<SigningService, string[]>> = {};
      for (const pair of list.split(',')) {
        const [service, file] = pair.split('=').map((part) => part.trim());
        (files[service as SigningService] ??= []).push(file);
      }
      return files;
    })
    .default({}),
  /** The agent registry: agents, their public keys and workspaces, labelers, workspaces admitting unsigned agents. */
  AGENTS_PATH: z.string().min(1).default('config/agents.yaml'),
  /**
   * Worker threads verifying the signatures of each chunk consumed (libsodium), beside the
   * main thread that decodes, decides and records; 0 verifies on the main thread.
   */
  SIGNATURE_VERIFY_THREADS: z
    .string()
    .trim()
    .regex(/^([0-9]|1[0-6])$/, { error: 'must be a whole number from 0 to 16' })
    .transform(Number)
    .default(1),
});

export type TrustConfig = z.output<typeof trustConfig>;
