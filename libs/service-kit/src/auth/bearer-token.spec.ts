import { FILE_TOKEN_HASH, bearerToken, collectTokenVariables, hashToken, newToken } from './bearer-token';

describe('hashing a token', () => {
  it.each([
    // Known SHA-256 vectors: the stored hash is plain SHA-256 hex of the UTF-8 token.
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['hitl_demo-token-for-alice', hashToken('hitl_demo-token-for-alice')],
  ])('hashes %j to its SHA-256 hex', (token, hex) => {
    expect(hashToken(token)).toBe(hex);
    expect(`sha256:${hashToken(token)}`).toMatch(FILE_TOKEN_HASH);
  });

  it('gives different tokens different hashes', () => {
    expect(hashToken('token-a-0123456789')).not.toBe(hashToken('token-b-0123456789'));
  });
});

describe('a new token', () => {
  it('is long, URL-safe, recognisable and never repeats', () => {
    const tokens = Array.from({ length: 200 }, () => newToken());
    for (const token of tokens) expect(token).toMatch(/^hitl_[A-Za-z0-9_-]{43}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});

describe('reading the Authorization header', () => {
  it.each([
    ['no header', undefined, { problem: 'missing' }],
    ['an empty header', '', { problem: 'missing' }],
    ['a bearer token', 'Bearer hitl_abc', { token: 'hitl_abc' }],
    ['the scheme in any case', 'bearer hitl_abc', { token: 'hitl_abc' }],
    ['extra spaces', 'Bearer   hitl_abc ', { token: 'hitl_abc' }],
    ['another scheme', 'Basic YWxpY2U6cHc=', { problem: 'malformed' }],
    ['the scheme alone', 'Bearer', { problem: 'malformed' }],
    ['two tokens', 'Bearer a b', { problem: 'malformed' }],
    ['a bare token', 'hitl_abc', { problem: 'malformed' }],
  ])('%s', (_name, header, expected) => {
    expect(bearerToken(header)).toEqual(expected);
  });
});

describe('gathering token variables', () => {
  const collect = collectTokenVariables('AUDITOR_TOKEN_', 'AUDITOR_TOKENS');

  it('gathers only the variables with the prefix, and keeps the rest as they are', () => {
    expect(collect({ AUDITOR_TOKEN_INES: 'x'.repeat(20), DATABASE_URL: 'postgres://h/db', AUDITOR_TOKENS_X: 'no' })).toEqual({
      AUDITOR_TOKEN_INES: 'x'.repeat(20),
      DATABASE_URL: 'postgres://h/db',
      AUDITOR_TOKENS_X: 'no',
      AUDITOR_TOKENS: { AUDITOR_TOKEN_INES: 'x'.repeat(20) },
    });
  });

  it('leaves what is not an object to the schema', () => {
    expect(collect(undefined)).toBeUndefined();
  });
});
