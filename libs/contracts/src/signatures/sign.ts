// The contract's signatures: Ed25519 over the RFC 8785 canonical JSON of the whole event
// without `sig`; `sigkid` names the key, `sig` is base64url without padding.
import { KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ed25519Sign, ed25519Verify, ed25519VerifyAsync } from './ed25519';
import { SigningKey } from './keys';

/** The two extension attributes a signed event carries. */
export interface SignatureAttributes {
  sigkid: string;
  sig: string;
}

/** The bytes a signature covers: the canonical JSON of the event without `sig`. */
export function signingInput(event: object): Buffer {
  const { sig: _sig, ...signed } = event as Record<string, unknown>;
  const canonical = canonicalize(signed);
  if (canonical === undefined) throw new TypeError('the event cannot be canonicalized');
  return Buffer.from(canonical, 'utf8');
}

/** The event with `sigkid` set to the key's id and `sig` over everything else. */
export function signEvent<E extends object>(event: E, key: SigningKey): E & SignatureAttributes {
  const { sig: _sig, ...unsigned } = event as Record<string, unknown>;
  const withKid = { ...unsigned, sigkid: key.kid };
  const sig = ed25519Sign(signingInput(withKid), key.privateKey).toString('base64url');
  return { ...withKid, sig } as E & SignatureAttributes;
}

const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

/**
 * The same check off the main thread (libuv's pool), for consumers that verify a chunk at
 * a time: Ed25519 verification is the costly part. Never rejects.
 */
export function signatureVerifiesAsync(event: Record<string, unknown>, publicKey: KeyObject): Promise<boolean> {
  const sig = event.sig;
  if (typeof sig !== 'string' || !SIGNATURE.test(sig)) return Promise.resolve(false);
  let input: Buffer;
  try {
    input = signingInput(event);
  } catch {
    return Promise.resolve(false);
  }
  return ed25519VerifyAsync(input, Buffer.from(sig, 'base64url'), publicKey);
}

/** Whether `sig` is a valid signature of the event by `publicKey`. Never throws. */
export function signatureVerifies(event: Record<string, unknown>, publicKey: KeyObject): boolean {
  const sig = event.sig;
  if (typeof sig !== 'string' || !SIGNATURE.test(sig)) return false;
  try {
    return ed25519Verify(signingInput(event), Buffer.from(sig, 'base64url'), publicKey);
  } catch {
    return false;
  }
}
