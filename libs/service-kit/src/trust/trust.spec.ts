import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPROVAL_REQUESTED, exampleEvent, generateSigningKey, signEvent } from '@hitl/contracts';
import { ConfigError, loadConfig } from '../config/config';
import { loadTrust, TrustError } from './trust';
import { TrustConfig, trustConfig } from './trust.config';

let dir: string;
const router = generateSigningKey();
const retiring = generateSigningKey();
const escalation = generateSigningKey();
const agent = generateSigningKey();

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const jwks = (...keys: object[]) => JSON.stringify({ keys });
const config = (env: Record<string, string>): TrustConfig => loadConfig(trustConfig, { AGENTS_PATH: join(dir, 'agents.yaml'), ...env });
/** The TrustError loadTrust throws: its variable and message. */
const refusal = (load: () => unknown) => {
  try {
    load();
  } catch (error) {
    if (error instanceof TrustError) return { variable: error.variable, message: error.message };
    throw error;
  }
  throw new Error('the trust was loaded');
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hitl-trust-spec-'));
  file('router.key.pem', router.pem);
  file('escalation.key.pem', escalation.pem);
  file('router.jwks.json', jwks(retiring.jwk));
  file('escalation.jwks.json', jwks(escalation.jwk));
  mkdirSync(join(dir, 'keys'));
  file('keys/refund-bot.jwks.json', jwks(agent.jwk));
  // keys_file is relative to the registry's folder, not to the working directory.
  file('agents.yaml', 'agents:\n  - { id: refund-bot, workspaces: ["*"], keys_file: keys/refund-bot.jwks.json }\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadTrust', () => {
  const serviceKeys = () => `router=${join(dir, 'router.jwks.json')},escalation=${join(dir, 'escalation.jwks.json')}`;

  it('refuses to start the router without a signing key, naming SIGNING_KEY_FILE', () => {
    expect(refusal(() => loadTrust(config({ SERVICE_KEYS: serviceKeys() }), 'router'))).toEqual({
      variable: 'SIGNING_KEY_FILE',
      message: expect.stringContaining('the router service signs every event it emits'),
    });
  });

  it("adds the router's own key to its published keyset, after the keys SERVICE_KEYS lists, and trusts it", () => {
    const trust = loadTrust(config({ SIGNING_KEY_FILE: join(dir, 'router.key.pem'), SERVICE_KEYS: serviceKeys() }), 'router');
    expect(trust.signingKey?.kid).toBe(router.jwk.kid);
    expect(trust.publicKeys).toEqual({ keys: [retiring.jwk, router.jwk] });
    const requested = signEvent(exampleEvent(APPROVAL_REQUESTED), trust.signingKey!);
    expect(trust.keyring.verify(requested, requested)).toEqual({ ok: true, signer: { kind: 'service', service: 'router' }, kid: router.jwk.kid });
  });

  it('publishes its own key once when SERVICE_KEYS lists it already', () => {
    const trust = loadTrust(config({ SIGNING_KEY_FILE: join(dir, 'escalation.key.pem'), SERVICE_KEYS: serviceKeys() }), 'escalation');
    expect(trust.publicKeys).toEqual({ keys: [escalation.jwk] });
  });

  it('reads the agent registry, its keys_file relative to the registry', () => {
    const trust = loadTrust(config({ SERVICE_KEYS: serviceKeys() }));
    expect(trust.keyring.key(agent.jwk.kid)?.principal).toEqual({ kind: 'agent', id: 'refund-bot', workspaces: '*' });
  });

  it('publishes no key for a service that signs nothing, and the key it was given otherwise', () => {
    expect(loadTrust(config({ SERVICE_KEYS: serviceKeys() })).publicKeys).toEqual({ keys: [] });
    expect(loadTrust(config({ SIGNING_KEY_FILE: join(dir, 'router.key.pem') })).publicKeys).toEqual({ keys: [router.jwk] });
  });

  it('refuses a SERVICE_KEYS that is not <service>=<file>,..., naming the variable', () => {
    for (const value of ['auditor=/keys/auditor.jwks.json', 'router', 'router=', `router=${join(dir, 'router.jwks.json')},,escalation=x`]) {
      expect(() => config({ SERVICE_KEYS: value })).toThrow(ConfigError);
      expect(() => config({ SERVICE_KEYS: value })).toThrow(
        /SERVICE_KEYS: must be a comma-separated list of <service>=<JWKS file>, services being router, escalation, gateway/,
      );
    }
  });

  it.each([
    ['a SIGNING_KEY_FILE that is missing', () => ({ SIGNING_KEY_FILE: join(dir, 'absent.pem') }), 'SIGNING_KEY_FILE', /cannot read .*absent\.pem: ENOENT/],
    [
      'a SIGNING_KEY_FILE that is not Ed25519',
      () => ({
        SIGNING_KEY_FILE: file('rsa.pem', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
      }),
      'SIGNING_KEY_FILE',
      /is not an Ed25519 private key/,
    ],
    [
      'a SIGNING_KEY_FILE that is a public key',
      () => ({ SIGNING_KEY_FILE: file('public.jwk.json', JSON.stringify(router.jwk)) }),
      'SIGNING_KEY_FILE',
      /is not an Ed25519 private key/,
    ],
    [
      'a SERVICE_KEYS file that is missing',
      () => ({ SERVICE_KEYS: `router=${join(dir, 'absent.jwks.json')}` }),
      'SERVICE_KEYS',
      /cannot read .*absent\.jwks\.json: ENOENT/,
    ],
    [
      'a SERVICE_KEYS file that is no JWKS',
      () => ({ SERVICE_KEYS: `escalation=${file('bad.jwks.json', '{"keys":[{"kty":"RSA"}]}')}` }),
      'SERVICE_KEYS',
      /escalation=.*bad\.jwks\.json: not an Ed25519 JWKS/,
    ],
    ['an AGENTS_PATH that is missing', () => ({ AGENTS_PATH: join(dir, 'absent.yaml') }), 'AGENTS_PATH', /cannot read .*absent\.yaml: ENOENT/],
    [
      'an AGENTS_PATH that is invalid',
      () => ({ AGENTS_PATH: file('bad-agents.yaml', 'agents:\n  - { id: a, workspaces: ["*"], key: x }\n') }),
      'AGENTS_PATH',
      /agents\[0\]\.key: unknown field/,
    ],
    [
      'a key listed for two principals',
      () => ({ SERVICE_KEYS: `router=${file('agent-as-router.jwks.json', jwks(agent.jwk))}` }),
      'SERVICE_KEYS',
      /is listed twice/,
    ],
  ])('refuses %s, naming the variable', (_name, env, variable, message) => {
    const refused = refusal(() => loadTrust(config(env())));
    expect(refused.variable).toBe(variable);
    expect(refused.message).toMatch(new RegExp(`^${variable}: `));
    expect(refused.message).toMatch(message);
  });
});
