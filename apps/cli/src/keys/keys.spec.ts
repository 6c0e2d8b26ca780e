import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPROVAL_RESOLVED, Keyring, exampleEvent, jwkThumbprint, parseJwks, parseSigningKey, signEvent } from '@hitl/contracts';
import { ExitCode } from '../cli-context';
import { runCli } from '../program';
import { appendToJwks, describeJwks, parseKeyName, parseKid } from './keys';

const jwk = (x: string, kid: string) => ({ kty: 'OKP' as const, crv: 'Ed25519' as const, x, kid });
const X1 = 'A'.repeat(43);
const X2 = 'B'.repeat(43);

describe('the key set a new key goes into', () => {
  it('starts one when there is none', () => {
    expect(appendToJwks(undefined, jwk(X1, 'k1'))).toEqual({ keys: [jwk(X1, 'k1')] });
  });

  it('appends to an existing one, the old keys first (rotation)', () => {
    expect(appendToJwks(JSON.stringify({ keys: [jwk(X1, 'k1')] }), jwk(X2, 'k2')).keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
  });

  it.each([
    ['a kid already there', JSON.stringify({ keys: [jwk(X1, 'k2')] }), 'k2', /already holds a key with kid k2/],
    [
      'a key without kid whose thumbprint is the new kid',
      JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: X1 }] }),
      jwkThumbprint({ x: X1 }),
      /already holds/,
    ],
    ['text that is not JSON', '{"keys": [', 'k2', /^not JSON/],
    ['JSON that is not a JWKS', JSON.stringify({ keys: [{ kty: 'RSA' }] }), 'k2', /not an Ed25519 JWKS: keys\.0\.kty/],
  ])('refuses %s', (_name, existing, kid, message) => {
    expect(() => appendToJwks(existing, jwk(X2, kid))).toThrow(message);
  });

  it('lists each key with its kid, or its thumbprint when it names none', () => {
    expect(describeJwks({ keys: [jwk(X1, 'k1'), { kty: 'OKP', crv: 'Ed25519', x: X2 }] })).toEqual([
      `k1  OKP Ed25519  x=${X1}`,
      expect.stringMatching(new RegExp(`^[A-Za-z0-9_-]{43}  OKP Ed25519  x=${X2}  \\(no kid: its RFC 7638 thumbprint\\)$`)),
    ]);
    expect(describeJwks({ keys: [] })).toEqual(['no keys']);
  });

  it.each(['refund-bot', 'router', 'crm.sync@acme', 'a'])('takes the name %s', (name) => expect(parseKeyName(name)).toBe(name));
  it.each(['', '../escape', '.hidden', 'has space', 'a/b', 'x'.repeat(101)])('refuses the name %j', (name) =>
    expect(() => parseKeyName(name)).toThrow(/letters, digits/),
  );
  it.each(['2026-11', 'router:1', 'k+/='])('takes the kid %s', (kid) => expect(parseKid(kid)).toBe(kid));
  it.each(['', 'has space', 'quote"d', 'x'.repeat(129)])('refuses the kid %j', (kid) => expect(() => parseKid(kid)).toThrow(/1 to 128/));
});

describe('hitl keys, in-process on a temp folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hitl-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(...argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(argv, {
      io: { out: (text) => (out += text), err: (text) => (err += text) },
      readText: (path) => readFileSync(path, 'utf8'),
      now: () => new Date('2026-11-22T09:00:00Z'),
    });
    return { code, out, err };
  }

  it('writes a private key only its owner reads and a key set that verifies what it signs', async () => {
    const out = join(dir, 'keys');
    const result = await run('keys', 'generate', '--name', 'refund-bot', '--out', out);
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.ok);
    const key = parseSigningKey(readFileSync(join(out, 'refund-bot.key.pem'), 'utf8'));
    expect(readFileSync(join(out, 'refund-bot.key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(statSync(join(out, 'refund-bot.key.pem')).mode & 0o777).toBe(0o600);
    expect(result.out).toContain(`kid:         ${key.kid}\n`);
    expect(result.out).toContain(join(out, 'refund-bot.jwks.json'));
    const jwks = parseJwks(JSON.parse(readFileSync(join(out, 'refund-bot.jwks.json'), 'utf8')));
    expect(jwks.keys.map((k) => k.kid)).toEqual([key.kid]);
    // What it signs verifies with what it publishes.
    const keyring = new Keyring({ services: { router: jwks } });
    const event = exampleEvent(APPROVAL_RESOLVED);
    event.data.resolved_by = { kind: 'policy', id: 'manifest' };
    const signed = signEvent(event, key);
    expect(keyring.verify(JSON.parse(JSON.stringify(signed)) as Record<string, unknown>, signed)).toMatchObject({ ok: true, kid: key.kid });
  });

  it('refuses to replace a private key without --force, and writes nothing', async () => {
    await run('keys', 'generate', '--name', 'router', '--out', dir);
    const before = [readFileSync(join(dir, 'router.key.pem'), 'utf8'), readFileSync(join(dir, 'router.jwks.json'), 'utf8')];
    const again = await run('keys', 'generate', '--name', 'router', '--out', dir);
    expect(again.err).toMatch(/^hitl: .*router\.key\.pem exists: keep it, or give --force/);
    expect(again.code).toBe(ExitCode.usage);
    expect([readFileSync(join(dir, 'router.key.pem'), 'utf8'), readFileSync(join(dir, 'router.jwks.json'), 'utf8')]).toEqual(before);
  });

  it('counts a private key of either form: no --kid key beside a PEM without --force', async () => {
    await run('keys', 'generate', '--name', 'router', '--out', dir);
    const beside = await run('keys', 'generate', '--name', 'router', '--out', dir, '--kid', 'router-2');
    expect(beside.err).toMatch(/router\.key\.pem exists/);
    expect(beside.code).toBe(ExitCode.usage);
    expect(() => statSync(join(dir, 'router.key.json'))).toThrow(/ENOENT/);
  });

  it('rotates with --force: a new private key, both public keys trusted', async () => {
    await run('keys', 'generate', '--name', 'router', '--out', dir, '--kid', 'router-2026-10');
    const rotated = await run('keys', 'generate', '--name', 'router', '--out', dir, '--kid', 'router-2026-11', '--force');
    expect(rotated.code).toBe(ExitCode.ok);
    expect(rotated.out).toMatch(/\(2 keys: the older ones stay trusted until you remove them\)/);
    expect(parseSigningKey(readFileSync(join(dir, 'router.key.json'), 'utf8')).kid).toBe('router-2026-11');
    expect(statSync(join(dir, 'router.key.json')).mode & 0o777).toBe(0o600);
    const shown = await run('keys', 'show', join(dir, 'router.jwks.json'));
    expect(shown.out).toMatch(/^router-2026-10 {2}OKP Ed25519 {2}x=\S{43}\nrouter-2026-11 {2}OKP Ed25519 {2}x=\S{43}\n$/);
  });

  it('a named kid is the one the private key signs with: it is written as a private JWK holding it', async () => {
    const result = await run('keys', 'generate', '--name', 'escalation', '--out', dir, '--kid', 'esc-1');
    expect(result.out).toContain(join(dir, 'escalation.key.json'));
    const jwks = parseJwks(JSON.parse(readFileSync(join(dir, 'escalation.jwks.json'), 'utf8')));
    const key = parseSigningKey(readFileSync(join(dir, 'escalation.key.json'), 'utf8'));
    expect(statSync(join(dir, 'escalation.key.json')).mode & 0o777).toBe(0o600);
    expect(jwks.keys[0]).toMatchObject({ kid: 'esc-1' });
    expect(key.kid).toBe('esc-1');
    const event = exampleEvent(APPROVAL_RESOLVED);
    event.data.resolved_by = { kind: 'reviewer', id: 'rev-alice' };
    const signed = signEvent(event, key);
    expect(new Keyring({ services: { escalation: jwks } }).verify(JSON.parse(JSON.stringify(signed)) as Record<string, unknown>, signed)).toMatchObject({
      ok: true,
      kid: 'esc-1',
    });
  });

  it('refuses a duplicate kid and a broken key set before writing a private key', async () => {
    await run('keys', 'generate', '--name', 'a', '--out', dir, '--kid', 'same');
    const duplicate = await run('keys', 'generate', '--name', 'a', '--out', dir, '--kid', 'same', '--force');
    expect(duplicate.err).toMatch(/already holds a key with kid same/);
    expect(duplicate.code).toBe(ExitCode.usage);
    writeFileSync(join(dir, 'b.jwks.json'), 'not json');
    const broken = await run('keys', 'generate', '--name', 'b', '--out', dir);
    expect(broken.err).toMatch(/b\.jwks\.json: not JSON/);
    expect(() => statSync(join(dir, 'b.key.pem'))).toThrow(/ENOENT/);
  });

  it.each<[string, string[], ExitCode, RegExp]>([
    ['generate without --name', ['keys', 'generate'], ExitCode.usage, /required option '--name <name>' not specified/],
    ['a name that escapes the folder', ['keys', 'generate', '--name', '../x'], ExitCode.usage, /option '--name <name>' argument '..\/x' is invalid/],
    ['show of a missing file', ['keys', 'show', '/nonexistent/x.jwks.json'], ExitCode.usage, /cannot read key set \/nonexistent\/x\.jwks\.json: no such file/],
  ])('%s', async (_name, argv, code, err) => {
    const result = await run(...argv);
    expect(result.err).toMatch(err);
    expect(result.code).toBe(code);
  });

  it('show of a file that is not a key set exits 1 naming it', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'short' }] }));
    const result = await run('keys', 'show', join(dir, 'bad.json'));
    expect(result.err).toMatch(/^invalid key set .*bad\.json: not an Ed25519 JWKS: keys\.0\.x/);
    expect(result.code).toBe(ExitCode.invalid);
  });
});
