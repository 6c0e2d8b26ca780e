// The contract's signatures: Ed25519 over the RFC 8785 canonical JSON of the whole event
// without `sig`; `sigkid` names the key, `sig` is base64url without padding.
import { KeyObject } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
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
  return Buffer.from(canonicalJson(signed), 'utf8');
}

/** The event as `key` signs it: any `sig` left out, `sigkid` set; its signing input and `sig` over it. */
function signed(event: object, key: SigningKey): { withKid: Record<string, unknown>; input: string; sig: string } {
  const { sig: _sig, ...unsigned } = event as Record<string, unknown>;
  const withKid = { ...unsigned, sigkid: key.kid };
  const input = canonicalJson(withKid);
  return { withKid, input, sig: signatureOver(Buffer.from(input, 'utf8'), key) };
}

/** The event with `sigkid` set to the key's id and `sig` over everything else. */
export function signEvent<E extends object>(event: E, key: SigningKey): E & SignatureAttributes {
  const { withKid, sig } = signed(event, key);
  return { ...withKid, sig } as E & SignatureAttributes;
}

/**
 * The event signed, as the JSON a producer publishes: the signing input itself with `sig`
 * added as its last member. The same event as JSON.stringify(signEvent(event, key)) (members
 * in another order, which JSON does not mind), without writing the event a second time.
 */
export function signedEventJson(event: object, key: SigningKey): string {
  const { input, sig } = signed(event, key);
  // input is a non-empty object ("sigkid" at least): its last character is the closing brace.
  return `${input.slice(0, -1)},"sig":"${sig}"}`;
}

/**
 * The `sig` of bytes already in signing form (what signingInput gives: the canonical JSON of
 * the event with `sigkid`, without `sig`), for a producer that builds that JSON itself.
 */
export function signatureOver(input: Buffer, key: SigningKey): string {
  return ed25519Sign(input, key.privateKey).toString('base64url');
}

// 64 bytes in base64url: 85 characters and one holding the last 2 bits, its other 4 zero. A
// last character with them set decodes to the same bytes; refused, so one signature has one spelling.
const SIGNATURE = /^[A-Za-z0-9_-]{85}[AQgw]$/;

/** The signed bytes and the signature of an event, or null when it carries no well-formed signature. */
function signedParts(event: Record<string, unknown>): { input: Buffer; signature: Buffer } | null {
  const sig = event.sig;
  if (typeof sig !== 'string' || !SIGNATURE.test(sig)) return null;
  try {
    return { input: signingInput(event), signature: Buffer.from(sig, 'base64url') };
  } catch {
    return null; // not canonicalizable: nothing was signed
  }
}

/** Whether `sig` is a valid signature of the event by `publicKey`. Never throws. */
export function signatureVerifies(event: Record<string, unknown>, publicKey: KeyObject): boolean {
  const parts = signedParts(event);
  return parts !== null && ed25519Verify(parts.input, parts.signature, publicKey);
}

/** The same check for a chunk of events at once (off the main thread where that pays, see ed25519.ts). Never rejects. */
export function signatureVerifiesAsync(event: Record<string, unknown>, publicKey: KeyObject): Promise<boolean> {
  const parts = signedParts(event);
  return parts === null ? Promise.resolve(false) : ed25519VerifyAsync(parts.input, parts.signature, publicKey);
}
