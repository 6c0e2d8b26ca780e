import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { GENESIS } from '@hitl/audit-trail';
import { ChainFacts, checkHead, headSignatureValid, signHead } from './chain-head';
import { signingKeyFromPem } from './head-signing.config';

const { privateKey } = generateKeyPairSync('ed25519');
const publicKey = createPublicKey(privateKey);
const h = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const head = { workspace: 'acme-support', chain_index: 5, hash: h(5), exported_at: '2026-11-22T09:00:00.000Z' };

describe('a signed head', () => {
  const signed = signHead(head, privateKey);

  it('verifies with the public key', () => {
    expect(signed).toMatchObject(head);
    expect(headSignatureValid(signed, publicKey)).toBe(true);
  });

  it.each([
    ['another index', { chain_index: 6 }],
    ['another hash', { hash: h(6) }],
    ['another workspace', { workspace: 'globex' }],
    ['another time', { exported_at: '2026-11-23T09:00:00.000Z' }],
    ['a signature that is not base64 of one', { signature: 'nope' }],
  ])('does not verify with %s', (_name, change) => {
    expect(headSignatureValid({ ...signed, ...change }, publicKey)).toBe(false);
  });

  it('does not verify with another key', () => {
    expect(headSignatureValid(signed, createPublicKey(generateKeyPairSync('ed25519').privateKey))).toBe(false);
  });
});

describe('checking a head later', () => {
  const intact = (through: number): ChainFacts['verified'] => ({ head: { chain_index: through, hash: h(through) }, first_break: null });

  it.each<[string, ChainFacts, boolean, RegExp]>([
    [
      'the row unchanged and the chain grown',
      { rowHash: h(5), checkpoint: null, verified: intact(9) },
      true,
      /still has this hash and the chain verifies through chain index 9/,
    ],
    ['the row unchanged, nothing added', { rowHash: h(5), checkpoint: null, verified: intact(5) }, true, /the record only grew/],
    ['the row rewritten', { rowHash: h(99), checkpoint: null, verified: intact(9) }, false, /now has another hash: the record was rewritten/],
    [
      'the chain broken after it',
      {
        rowHash: h(5),
        checkpoint: null,
        verified: { head: intact(6).head, first_break: { workspace: 'acme-support', chain_index: 7, event_id: 'e7', reason: 'a row is missing' } },
      },
      false,
      /broken at chain index 7 \(event e7\): a row is missing/,
    ],
    ['the chain shorter than the head', { rowHash: null, checkpoint: null, verified: intact(3) }, false, /now ends at chain index 3/],
    [
      'retention left its checkpoint at the head',
      { rowHash: null, checkpoint: { chain_index: 5, hash: h(5) }, verified: intact(9) },
      true,
      /still has this hash/,
    ],
    [
      'retention removed past the head',
      { rowHash: null, checkpoint: { chain_index: 7, hash: h(7) }, verified: intact(9) },
      false,
      /retention removed the rows through chain index 7.*export a new head/,
    ],
  ])('%s', (_name, facts, ok, reason) => {
    const result = checkHead(head, facts);
    expect(result.ok).toBe(ok);
    expect(result.reason).toMatch(reason);
  });

  it('accepts the head of an empty chain', () => {
    expect(
      checkHead(
        { ...head, chain_index: 0, hash: GENESIS },
        { rowHash: null, checkpoint: null, verified: { head: { chain_index: 0, hash: GENESIS }, first_break: null } },
      ).ok,
    ).toBe(true);
  });
});

describe('the signing key', () => {
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it.each([
    ['PEM', pem],
    ['PEM with literal \\n, as env files write it', pem.replace(/\n/g, '\\n')],
  ])('reads %s', (_name, text) => {
    expect('key' in signingKeyFromPem(text)).toBe(true);
  });

  it.each([
    ['garbage', 'not a key', /must be an Ed25519 private key in PEM/],
    ['another kind of key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /not ec key/],
  ])('refuses %s, without echoing it', (_name, text, problem) => {
    const parsed = signingKeyFromPem(text);
    expect('problem' in parsed && parsed.problem).toMatch(problem);
    expect(JSON.stringify(parsed)).not.toContain('PRIVATE KEY');
  });
});
