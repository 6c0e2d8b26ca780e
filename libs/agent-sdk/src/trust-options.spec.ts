import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey } from '@hitl/contracts';
import { AgentOptionsError } from './errors';
import { HitlAgent, HitlAgentOptions } from './hitl-agent';
import { loadKeyring, loadSigningKey } from './trust-options';

const dir = mkdtempSync(join(tmpdir(), 'hitl-sdk-keys-'));
const agent = generateSigningKey();
const router = generateSigningKey();
const escalation = generateSigningKey();
const keyFile = join(dir, 'refund-bot.key.pem');
const routerJwks = join(dir, 'router.jwks.json');
const escalationJwks = join(dir, 'escalation.jwks.json');
writeFileSync(keyFile, agent.pem);
writeFileSync(routerJwks, JSON.stringify({ keys: [router.jwk] }));
writeFileSync(escalationJwks, JSON.stringify({ keys: [escalation.jwk] }));

const base = { brokers: ['127.0.0.1:9'], clientId: 'refund-bot', agentId: 'refund-bot', workspace: 'acme-support' };

describe('the agent keys from its options', () => {
  it('reads the signing key from a file path, from PEM text, or takes a SigningKey', () => {
    expect(loadSigningKey(keyFile).kid).toBe(agent.jwk.kid);
    expect(loadSigningKey(agent.pem).kid).toBe(agent.jwk.kid);
    expect(loadSigningKey(agent.key)).toBe(agent.key);
  });

  it('reads the services’ keys from JWKS files or documents', () => {
    const fromFiles = loadKeyring({ router: routerJwks, escalation: escalationJwks });
    expect(fromFiles.key(router.jwk.kid)?.principal).toEqual({ kind: 'service', service: 'router' });
    expect(fromFiles.key(escalation.jwk.kid)?.principal).toEqual({ kind: 'service', service: 'escalation' });
    const fromDocuments = loadKeyring({ router: { keys: [router.jwk] }, escalation: { keys: [escalation.jwk] } });
    expect(fromDocuments.serviceJwks('router').keys.map((k) => k.kid)).toEqual([router.jwk.kid]);
  });

  it('refuses to build an agent without its key or the services’ keys, naming the option', () => {
    const trustedKeys = { router: routerJwks, escalation: escalationJwks };
    const attempt = (options: Partial<HitlAgentOptions>) => {
      try {
        new HitlAgent({ ...base, ...options } as HitlAgentOptions);
        return undefined;
      } catch (error) {
        return error;
      }
    };
    expect(attempt({ trustedKeys })).toMatchObject({ code: 'invalid_options', option: 'signingKey', message: expect.stringContaining('is required') });
    expect(attempt({ signingKey: keyFile })).toMatchObject({ code: 'invalid_options', option: 'trustedKeys', message: expect.stringContaining('is required') });
    expect(attempt({ signingKey: keyFile, trustedKeys: { router: routerJwks } as never })).toMatchObject({ option: 'trustedKeys.escalation' });
    expect(attempt({ signingKey: join(dir, 'missing.pem'), trustedKeys })).toMatchObject({
      option: 'signingKey',
      message: expect.stringContaining('cannot read'),
    });
    expect(attempt({ signingKey: routerJwks, trustedKeys })).toBeInstanceOf(AgentOptionsError);
    expect(attempt({ signingKey: keyFile, trustedKeys: { router: keyFile, escalation: escalationJwks } })).toMatchObject({ option: 'trustedKeys.router' });
    expect(attempt({ signingKey: keyFile, trustedKeys: { router: { keys: [] }, escalation: escalationJwks } })).toMatchObject({
      option: 'trustedKeys.router',
      message: expect.stringContaining('no key'),
    });
    expect(attempt({ signingKey: keyFile, trustedKeys: { router: routerJwks, escalation: routerJwks } })).toMatchObject({
      option: 'trustedKeys',
      message: expect.stringContaining('listed twice'),
    });
    expect(attempt({ signingKey: keyFile, trustedKeys })).toBeUndefined();
  });
});
