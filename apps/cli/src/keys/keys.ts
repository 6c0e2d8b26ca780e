// The pure half of `hitl keys`: what goes into the files, and what a key set says. The
// command (keys.command.ts) reads and writes; nothing here touches the disk.
import { KeyObject } from 'node:crypto';
import { Ed25519PublicJwk, Jwks, keyIdOf, parseJwks } from '@hitl/contracts';
import { InvalidArgumentError } from 'commander';

/** A key's name becomes two file names: letters, digits and _ . @ -, starting with a letter or digit. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/;
/** A kid travels in every signed event (`sigkid`): printable ASCII without spaces or quotes, short. */
const KID = /^[A-Za-z0-9_.:@+=/-]{1,128}$/;

export function parseKeyName(value: string): string {
  if (!NAME.test(value)) throw new InvalidArgumentError('expected letters, digits and _ . @ - (at most 100), starting with a letter or digit, e.g. refund-bot');
  return value;
}

export function parseKid(value: string): string {
  if (!KID.test(value)) throw new InvalidArgumentError('expected 1 to 128 characters among letters, digits and _ . : @ + = / -');
  return value;
}

/**
 * The two files a key name stands for. The private key is a PKCS#8 PEM, which carries no
 * key id: signers then sign with the thumbprint, the default kid. A key with a kid of its
 * own is written as a private JWK holding that kid (`<name>.key.json`), so the signer names
 * the kid the key set publishes (SIGNING_KEY_FILE and the agent SDK read both forms).
 */
export function keyFileNames(name: string, withKid = false): { privateKey: string; jwks: string } {
  return { privateKey: withKid ? `${name}.key.json` : `${name}.key.pem`, jwks: `${name}.jwks.json` };
}

/** The text of the private key file: the PEM, or the private JWK with its kid. */
export function privateKeyText(key: KeyObject, pem: string, kid?: string): string {
  if (kid === undefined) return pem;
  const { kty, crv, x, d } = key.export({ format: 'jwk' });
  return `${JSON.stringify({ kty, crv, x, d, kid })}\n`;
}

/**
 * The published key set after adding `jwk`: the existing set (its text, when the file exists)
 * with the new key appended, so both are trusted while signers move to the new one; the old
 * key stays until someone removes it by hand. Throws when the existing file is not a JWKS
 * or already holds the key id (two keys under one kid could not be told apart).
 */
export function appendToJwks(existing: string | undefined, jwk: Ed25519PublicJwk & { kid: string }): Jwks {
  if (existing === undefined) return { keys: [jwk] };
  let parsed: Jwks;
  try {
    parsed = parseJwks(JSON.parse(existing));
  } catch (error) {
    throw new TypeError(error instanceof SyntaxError ? `not JSON: ${error.message}` : (error as Error).message);
  }
  if (parsed.keys.some((k) => keyIdOf(k) === jwk.kid)) throw new TypeError(`already holds a key with kid ${jwk.kid}: give another --kid`);
  return { keys: [...parsed.keys, jwk] };
}

/** The file text of a key set: indented, one trailing newline. */
export function formatJwks(jwks: Jwks): string {
  return `${JSON.stringify(jwks, null, 2)}\n`;
}

/** One line per key of a key set: its kid (the thumbprint when it names none) and its public value. */
export function describeJwks(jwks: Jwks): string[] {
  if (jwks.keys.length === 0) return ['no keys'];
  return jwks.keys.map((k) => `${keyIdOf(k)}  ${k.kty} ${k.crv}  x=${k.x}${k.kid === undefined ? '  (no kid: its RFC 7638 thumbprint)' : ''}`);
}
