// One-click links of a notification: a signed, expiring claim that one reviewer may take
// one act on one approval, as it was shown. Pure: the secret, the clock and the nonce are inputs.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const LinkAct = z.enum(['approve', 'deny']);
export type LinkAct = z.infer<typeof LinkAct>;

/** What a link grants. `expires_at` is in epoch seconds; `nonce` makes it single-use (see used_links). */
export const LinkClaims = z.strictObject({
  approval_id: z.uuid(),
  reviewer_id: z.string().min(1),
  act: LinkAct,
  payload_hash: z.string().min(1),
  expires_at: z.number().int().positive(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,}$/),
});
export type LinkClaims = z.infer<typeof LinkClaims>;

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; problem: 'invalid' | 'expired' };

// Domain separation: a MAC made for a link is never valid as anything else signed with the secret.
const CONTEXT = 'hitl.notification-link.v1.';
const SEGMENT = /^[A-Za-z0-9_-]+$/;

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret)
    .update(CONTEXT + payload, 'utf8')
    .digest();
}

/** `<base64url JSON claims>.<base64url HMAC-SHA256>`: URL-safe as it is. */
export function signLink(claims: LinkClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(LinkClaims.parse(claims)), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/**
 * The claims of a link signed with `secret` and not expired at `now`. The signature is
 * checked first, so a tampered link is `invalid` (403) even when it is also expired (410).
 */
export function verifyLink(token: string, secret: string, now: Date): LinkCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts.every((p) => SEGMENT.test(p))) return { ok: false, problem: 'invalid' };
  const [payload, signature] = parts;
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'invalid' };
  let claims: LinkClaims;
  try {
    claims = LinkClaims.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, problem: 'invalid' };
  }
  if (now.getTime() >= claims.expires_at * 1000) return { ok: false, problem: 'expired' };
  return { ok: true, claims };
}

/** When a link made at `now` stops working. */
export function linkExpiry(now: Date, ttlMinutes: number): number {
  return Math.floor(now.getTime() / 1000) + ttlMinutes * 60;
}
