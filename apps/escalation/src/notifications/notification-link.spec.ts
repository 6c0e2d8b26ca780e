import { createHmac } from 'node:crypto';
import { LinkClaims, linkExpiry, signLink, verifyLink } from './notification-link';

const SECRET = 'a-signing-secret-of-at-least-32-characters';
const now = new Date('2026-11-22T09:00:00Z');
const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

const claims: LinkClaims = {
  approval_id: '0b9e4a8e-5f0e-4c55-9a57-8a6c1b6f2d11',
  reviewer_id: 'alice',
  act: 'approve',
  payload_hash: `sha256:${'a'.repeat(64)}`,
  expires_at: epoch(now) + 3600,
  nonce: 'n0nce-0123456789abcdef',
};
const token = signLink(claims, SECRET);
const [payload, signature] = token.split('.');

/** The token with one character of `part` changed. */
function flip(part: string): string {
  const i = Math.floor(part.length / 2);
  return part.slice(0, i) + (part[i] === 'A' ? 'B' : 'A') + part.slice(i + 1);
}
const reencoded = (changes: Partial<LinkClaims>) => Buffer.from(JSON.stringify({ ...claims, ...changes })).toString('base64url');

describe('signing a link', () => {
  it('is URL-safe and round-trips its claims', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyLink(token, SECRET, now)).toEqual({ ok: true, claims });
  });

  it('refuses claims that do not fit the schema', () => {
    expect(() => signLink({ ...claims, act: 'edit' as never }, SECRET)).toThrow();
  });
});

describe('verifying a link', () => {
  it.each([
    ['valid until the second before it expires', token, SECRET, new Date((claims.expires_at - 1) * 1000), 'ok'],
    ['expired at its expiry', token, SECRET, new Date(claims.expires_at * 1000), 'expired'],
    ['expired long after', token, SECRET, new Date((claims.expires_at + 86_400) * 1000), 'expired'],
    ['another secret', token, 'another-secret-of-at-least-32-characters!', now, 'invalid'],
    ['a changed payload', `${flip(payload)}.${signature}`, SECRET, now, 'invalid'],
    ['a changed signature', `${payload}.${flip(signature)}`, SECRET, now, 'invalid'],
    ['another act under the old signature', `${reencoded({ act: 'deny' })}.${signature}`, SECRET, now, 'invalid'],
    ['another reviewer under the old signature', `${reencoded({ reviewer_id: 'mallory' })}.${signature}`, SECRET, now, 'invalid'],
    ['a later expiry under the old signature', `${reencoded({ expires_at: claims.expires_at + 86_400 })}.${signature}`, SECRET, now, 'invalid'],
    ['a tampered and expired link (tampering wins)', `${flip(payload)}.${signature}`, SECRET, new Date((claims.expires_at + 1) * 1000), 'invalid'],
    ['no signature', payload, SECRET, now, 'invalid'],
    ['an empty signature', `${payload}.`, SECRET, now, 'invalid'],
    ['three parts', `${token}.x`, SECRET, now, 'invalid'],
    ['characters outside base64url', `${payload}.${signature.slice(0, -1)}=`, SECRET, now, 'invalid'],
    ['an empty token', '', SECRET, now, 'invalid'],
  ])('%s', (_name, candidate, secret, at, expected) => {
    const check = verifyLink(candidate, secret, at);
    expect(check.ok ? 'ok' : check.problem).toBe(expected);
  });

  it('refuses a correctly signed payload that is not a link', () => {
    const notClaims = Buffer.from(JSON.stringify({ hello: 'world' })).toString('base64url');
    const mac = createHmac('sha256', SECRET).update(`hitl.notification-link.v1.${notClaims}`).digest('base64url');
    expect(verifyLink(`${notClaims}.${mac}`, SECRET, now)).toEqual({ ok: false, problem: 'invalid' });
  });
});

describe('a link lifetime', () => {
  it.each([
    [60, epoch(now) + 3600],
    [1, epoch(now) + 60],
    [1440, epoch(now) + 86_400],
  ])('%i minutes from now', (minutes, expected) => {
    expect(linkExpiry(now, minutes)).toBe(expected);
  });
});
