// Ed25519 keys as the contract publishes them: JWK (RFC 7517, `kty: OKP`, `crv: Ed25519`)
// in JWKS documents, with the RFC 7638 thumbprint as the key id when none is given.
import { KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { z } from 'zod';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A public Ed25519 key as a JWK. Other members (use, alg, ...) are kept and ignored. */
export const Ed25519PublicJwk = z.looseObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(BASE64URL, { error: 'must be base64url' }).length(43, { error: 'must be 43 base64url characters (32 bytes)' }),
  kid: z.string().min(1).optional(),
});
export type Ed25519PublicJwk = z.infer<typeof Ed25519PublicJwk>;

export const Jwks = z.object({ keys: z.array(Ed25519PublicJwk) });
export type Jwks = z.infer<typeof Jwks>;

/** A key that signs events: its id (`sigkid`) and the private half. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

/** RFC 7638 thumbprint of an Ed25519 key: base64url SHA-256 of `{"crv","kty","x"}` in that order. */
export function jwkThumbprint(jwk: Pick<Ed25519PublicJwk, 'x'>): string {
  const members = JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x: jwk.x });
  return createHash('sha256').update(members, 'utf8').digest('base64url');
}

/** The key id of a JWK: its `kid`, else its thumbprint. */
export function keyIdOf(jwk: Ed25519PublicJwk): string {
  return jwk.kid ?? jwkThumbprint(jwk);
}

export function publicKeyFromJwk(jwk: Ed25519PublicJwk): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
}

/** The public JWK of a key (public or private), with its thumbprint as `kid` unless one is given. */
export function publicJwkOf(key: KeyObject, kid?: string): Ed25519PublicJwk & { kid: string } {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new TypeError(`not an Ed25519 key (${publicKey.asymmetricKeyType})`);
  const { x } = publicKey.export({ format: 'jwk' }) as { x: string };
  return { kty: 'OKP', crv: 'Ed25519', x, kid: kid ?? jwkThumbprint({ x }) };
}

/**
 * A signing key from the text of a key file: a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`)
 * or a private JWK (`{"kty":"OKP","crv":"Ed25519","x":...,"d":...}`, its `kid` kept).
 * The key id is the JWK's `kid`, else the thumbprint of the public key.
 */
export function parseSigningKey(text: string): SigningKey {
  const trimmed = text.trim();
  let privateKey: KeyObject;
  let kid: string | undefined;
  if (trimmed.startsWith('{')) {
    const jwk = JSON.parse(trimmed) as { kty?: string; crv?: string; d?: string; kid?: string; x?: string };
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string')
      throw new TypeError('not a private Ed25519 JWK (kty OKP, crv Ed25519, with d)');
    privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: jwk.d, x: jwk.x ?? '' }, format: 'jwk' });
    kid = jwk.kid;
  } else {
    privateKey = createPrivateKey(trimmed);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError(`not an Ed25519 private key (${privateKey.asymmetricKeyType})`);
  return { kid: publicJwkOf(privateKey, kid).kid, privateKey };
}

/** A fresh key pair: the PKCS#8 PEM to keep secret, and the public JWK to publish. */
export function generateSigningKey(): { pem: string; jwk: Ed25519PublicJwk & { kid: string }; key: SigningKey } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicJwkOf(privateKey);
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), jwk, key: { kid: jwk.kid, privateKey } };
}

/** Parses a JWKS document; throws naming the first bad key. */
export function parseJwks(json: unknown): Jwks {
  const parsed = Jwks.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new TypeError(`not an Ed25519 JWKS: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
