// The services' Kafka TLS and SASL variables: parsed at start (files read then), each
// problem named by its variable and never echoing a secret, and what kafkajs is given.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaSecurityConfigError, kafkaClientSecurity, kafkaSecurityOf, loadKafkaSecurity } from '@hitl/messaging';
import { ConfigError, loadConfig, serviceConfig } from './config';

const schema = serviceConfig({ clientId: 'hitl-test', port: 3009 });
const SECRET = 'hunter2-not-in-any-message';

let dir: string;
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hitl-kafka-security-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(env: Record<string, string>): { variable: string; reason: string }[] {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('the config was accepted');
}

describe('Kafka TLS and SASL configuration', () => {
  it('is plaintext and unauthenticated when nothing is set', () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({ KAFKA_SSL: false, KAFKA_SSL_REJECT_UNAUTHORIZED: true });
    expect(config.KAFKA_REPLICATION_FACTOR).toBeUndefined();
    expect(kafkaSecurityOf(config)).toEqual({});
    expect(kafkaClientSecurity(kafkaSecurityOf(config))).toEqual({});
  });

  it('reads the files at start and maps them to kafkajs options; the password loses its trailing newline', () => {
    const env = {
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: file('ca.pem', 'CA PEM\n'),
      KAFKA_SSL_CERT_FILE: file('client.pem', 'CERT PEM\n'),
      KAFKA_SSL_KEY_FILE: file('client.key', 'KEY PEM\n'),
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'router',
      KAFKA_SASL_PASSWORD_FILE: file('password', `${SECRET}\n`),
      KAFKA_REPLICATION_FACTOR: '3',
    };
    const config = loadConfig(schema, env);
    expect(config.KAFKA_REPLICATION_FACTOR).toBe(3);
    expect(kafkaClientSecurity(kafkaSecurityOf(config))).toEqual({
      ssl: { rejectUnauthorized: true, ca: ['CA PEM\n'], cert: 'CERT PEM\n', key: 'KEY PEM\n' },
      sasl: { mechanism: 'scram-sha-512', username: 'router', password: SECRET },
    });
    // The parsed config shows where a secret came from, never the secret.
    expect(JSON.stringify(config)).not.toContain(SECRET);
    expect(JSON.stringify(config)).not.toContain('KEY PEM');
    // The CLI and the scripts read the same variables to the same options.
    expect(loadKafkaSecurity(env)).toEqual(kafkaSecurityOf(config));
  });

  it('may trust any broker certificate only when told to (KAFKA_SSL_REJECT_UNAUTHORIZED=false)', () => {
    const config = loadConfig(schema, { KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' });
    expect(kafkaClientSecurity(kafkaSecurityOf(config))).toEqual({ ssl: { rejectUnauthorized: false } });
  });

  it.each([
    [
      'an unsupported mechanism (gssapi)',
      { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'router' },
      'KAFKA_SASL_MECHANISM',
      'must be one of plain, scram-sha-256, scram-sha-512',
    ],
    ['a certificate without its key', { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: 'client.pem' }, 'KAFKA_SSL_KEY_FILE', 'must be set with KAFKA_SSL_CERT_FILE'],
    ['a key without its certificate', { KAFKA_SSL: 'true', KAFKA_SSL_KEY_FILE: 'client.key' }, 'KAFKA_SSL_CERT_FILE', 'must be set with KAFKA_SSL_KEY_FILE'],
    [
      'a missing password file',
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'router', KAFKA_SASL_PASSWORD_FILE: '/nonexistent/kafka-password' },
      'KAFKA_SASL_PASSWORD_FILE',
      'cannot read /nonexistent/kafka-password: no such file',
    ],
    [
      'an empty password file',
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'router', KAFKA_SASL_PASSWORD_FILE: 'empty' },
      'KAFKA_SASL_PASSWORD_FILE',
      'is empty',
    ],
    [
      'a mechanism without a password file',
      { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'router' },
      'KAFKA_SASL_PASSWORD_FILE',
      'must be set with KAFKA_SASL_MECHANISM',
    ],
    [
      'plain without TLS',
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'router', KAFKA_SASL_PASSWORD_FILE: 'password' },
      'KAFKA_SASL_MECHANISM',
      'plain sends the password itself: only with KAFKA_SSL=true',
    ],
    [
      'a username without a mechanism',
      { KAFKA_SASL_USERNAME: 'router', KAFKA_SASL_PASSWORD_FILE: 'password' },
      'KAFKA_SASL_MECHANISM',
      'must be set with KAFKA_SASL_USERNAME',
    ],
    ['a password in the environment', { KAFKA_SASL_PASSWORD: SECRET }, 'KAFKA_SASL_PASSWORD', 'is not read: put the password in a file'],
    ['a CA file without KAFKA_SSL', { KAFKA_SSL_CA_FILE: 'ca.pem' }, 'KAFKA_SSL_CA_FILE', 'is set but KAFKA_SSL is not true'],
    ['KAFKA_SSL neither true nor false', { KAFKA_SSL: 'yes' }, 'KAFKA_SSL', 'must be true or false'],
    ['a replication factor of 0', { KAFKA_REPLICATION_FACTOR: '0' }, 'KAFKA_REPLICATION_FACTOR', 'must be a whole number from 1 to 32767'],
  ])('refuses %s, naming the variable', (_what, given, variable, reason) => {
    // Relative paths are files of this test's directory (created here), absolute ones are as given.
    file('client.pem', 'CERT PEM');
    file('client.key', 'KEY PEM');
    file('ca.pem', 'CA PEM');
    file('password', SECRET);
    file('empty', '\n');
    const env = Object.fromEntries(
      Object.entries(given).map(([name, value]) => [name, name.endsWith('_FILE') && !value.startsWith('/') ? join(dir, value) : value]),
    );
    const problems = problemsOf(env);
    expect(problems.map((p) => p.variable)).toEqual([variable]);
    expect(problems[0].reason).toContain(reason);
    expect(JSON.stringify(problems)).not.toContain(SECRET);
    // The same problem, the same words, for the CLI and the scripts.
    if (variable !== 'KAFKA_REPLICATION_FACTOR') {
      expect(() => loadKafkaSecurity(env)).toThrow(KafkaSecurityConfigError);
      expect(() => loadKafkaSecurity(env)).toThrow(new RegExp(`^invalid configuration: ${variable}: `));
    }
  });
});
