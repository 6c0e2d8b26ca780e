import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadConfig } from './config';

const dir = mkdtempSync(join(tmpdir(), 'hitl-mcp-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const KEY = '-----BEGIN PRIVATE KEY-----\nnot-a-real-key-but-secret\n-----END PRIVATE KEY-----\n';
const env = {
  HITL_AGENT_ID: 'refund-bot',
  HITL_WORKSPACE: 'acme-support',
  HITL_KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  HITL_SIGNING_KEY_FILE: file('agent.key.pem', KEY),
  HITL_ROUTER_JWKS_FILE: file('router.jwks.json', '{"keys":[]}'),
  HITL_ESCALATION_JWKS_FILE: file('escalation.jwks.json', '{"keys":[]}'),
};

const problems = (e: Record<string, string | undefined>, argv: string[] = []) => {
  try {
    loadConfig(e, argv);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError');
};

describe('the configuration', () => {
  it('makes the agent from the environment: stdio, memory store, default waits', () => {
    const config = loadConfig({ ...env, PATH: '/usr/bin', HITL_TOPIC_PREFIX: 't.' });
    expect(config.agent).toMatchObject({
      agentId: 'refund-bot',
      workspace: 'acme-support',
      brokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
      clientId: 'hitl-mcp-refund-bot',
      topicPrefix: 't.',
      signingKey: KEY,
      trustedKeys: { router: env.HITL_ROUTER_JWKS_FILE, escalation: env.HITL_ESCALATION_JWKS_FILE },
      pendingStore: 'memory',
    });
    expect(config.http).toBeUndefined();
    expect(config.waits).toEqual({ defaultMs: 60_000, maxMs: 900_000, progressEveryMs: 5_000 });
  });

  it('serves Streamable HTTP with --http (or HITL_MCP_HTTP_PORT), on loopback unless a token is given', () => {
    expect(loadConfig(env, ['--http', '0']).http).toEqual({ port: 0, host: '127.0.0.1' });
    expect(loadConfig({ ...env, HITL_MCP_HTTP_PORT: '7410' }).http).toEqual({ port: 7410, host: '127.0.0.1' });
    expect(problems(env, ['--http', '7410', '--host', '0.0.0.0']).message).toContain('HITL_MCP_HTTP_HOST: 0.0.0.0 is not loopback');
    const token = file('token', 'a-long-secret-token-value\n');
    expect(loadConfig({ ...env, HITL_MCP_HTTP_TOKEN_FILE: token }, ['--http=7410', '--host=0.0.0.0']).http).toEqual({
      port: 7410,
      host: '0.0.0.0',
      token: 'a-long-secret-token-value',
    });
    expect(problems(env, ['--verbose']).message).toContain('--verbose: unknown option');
  });

  it('names every missing or bad variable, never a secret', () => {
    const error = problems({ HITL_WORKSPACE: 'acme-support', HITL_SIGNING_KEY_FILE: join(dir, 'missing.pem'), KAFKA_SASL_PASSWORD: 'hunter2hunter2' });
    const variables = error.problems.map((p) => p.variable);
    expect(variables).toEqual(
      expect.arrayContaining(['HITL_AGENT_ID', 'HITL_KAFKA_BROKERS', 'HITL_SIGNING_KEY_FILE', 'HITL_ROUTER_JWKS_FILE', 'KAFKA_SASL_PASSWORD']),
    );
    expect(error.message).toContain('cannot read');
    expect(error.message).not.toContain('hunter2');
    expect(problems({ ...env, KAFKA_SASL_MECHANISM: 'scram-sha-512' }).message).toContain('needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE');
  });

  it('takes TLS and SASL from files; the start-up description shows no key, token or password', () => {
    const config = loadConfig({
      ...env,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: file('ca.pem', 'CA-PEM'),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'agent-refund-bot',
      KAFKA_SASL_PASSWORD_FILE: file('password', 'pa55word-secret\n'),
      HITL_MCP_HTTP_TOKEN_FILE: file('token2', 'token-secret-value'),
      HITL_MCP_HTTP_PORT: '0',
    });
    expect(config.agent.ssl).toEqual({ rejectUnauthorized: true, ca: ['CA-PEM'] });
    expect(config.agent.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'agent-refund-bot', password: 'pa55word-secret' });
    const described = JSON.stringify(describeConfig(config));
    expect(described).toContain('scram-sha-512');
    for (const secret of ['pa55word', 'token-secret', 'not-a-real-key', 'CA-PEM']) expect(described).not.toContain(secret);
  });
});
