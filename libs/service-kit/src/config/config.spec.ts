import { z } from 'zod';
import { ConfigError, databaseConfig, httpConfig, kafkaConfig, loadConfig, logConfig, serviceConfig } from './config';

const schema = z.object({
  ...kafkaConfig({ clientId: 'hitl-test' }).shape,
  ...databaseConfig.shape,
  ...httpConfig({ port: 3009 }).shape,
  ...logConfig.shape,
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives every variable its default in an empty environment', () => {
    expect(loadConfig(schema, {})).toEqual({
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_CLIENT_ID: 'hitl-test',
      KAFKA_TOPIC_PREFIX: '',
      KAFKA_PARTITIONS: 3,
      KAFKA_SSL: false,
      KAFKA_SSL_REJECT_UNAUTHORIZED: true,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/hitl',
      DATABASE_SSL_MODE: 'disable',
      HTTP_PORT: 3009,
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
  });

  it('reads a full environment and ignores variables it does not know', () => {
    const config = loadConfig(schema, {
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      KAFKA_CLIENT_ID: 'router-7',
      KAFKA_TOPIC_PREFIX: 'staging.',
      KAFKA_PARTITIONS: '12',
      DATABASE_URL: 'postgresql://hitl@db.internal:6432/hitl',
      DATABASE_SSL_MODE: 'require',
      HTTP_PORT: '8080',
      HTTP_HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      PATH: '/usr/bin',
    });
    expect(config).toEqual({
      KAFKA_BROKERS: ['kafka-1:9092', 'kafka-2:9092'],
      KAFKA_CLIENT_ID: 'router-7',
      KAFKA_TOPIC_PREFIX: 'staging.',
      KAFKA_PARTITIONS: 12,
      KAFKA_SSL: false,
      KAFKA_SSL_REJECT_UNAUTHORIZED: true,
      DATABASE_URL: 'postgresql://hitl@db.internal:6432/hitl',
      DATABASE_SSL_MODE: 'require',
      HTTP_PORT: 8080,
      HTTP_HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(schema, { HTTP_PORT: '', KAFKA_TOPIC_PREFIX: '' })).toMatchObject({ HTTP_PORT: 3009, KAFKA_TOPIC_PREFIX: '' });
  });

  it('accepts port 0 (any free port)', () => {
    expect(loadConfig(schema, { HTTP_PORT: '0' }).HTTP_PORT).toBe(0);
  });

  it.each([
    ['HTTP_PORT', 'abc', 'must be a whole number from 0 to 65535'],
    ['HTTP_PORT', '65536', 'must be a whole number from 0 to 65535'],
    ['HTTP_PORT', '30.5', 'must be a whole number from 0 to 65535'],
    ['HTTP_PORT', '-1', 'must be a whole number from 0 to 65535'],
    ['HTTP_HOST', '   ', 'must not be blank'],
    ['KAFKA_BROKERS', 'localhost', 'must be a comma-separated list of host:port'],
    ['KAFKA_BROKERS', 'a:9092,,b:9092', 'must be a comma-separated list of host:port'],
    ['KAFKA_CLIENT_ID', ' ', 'must not be blank'],
    ['KAFKA_TOPIC_PREFIX', 'my prefix/', 'may only hold letters, digits'],
    ['KAFKA_PARTITIONS', '0', 'must be a whole number from 1 to 1000'],
    ['DATABASE_URL', 'mysql://root@db/hitl', 'must be a postgres:// URL'],
    ['DATABASE_URL', 'not a url', 'must be a postgres:// URL'],
    ['DATABASE_URL', 'postgres://hitl:hunter2@db/hitl', 'must not hold a password .*DATABASE_PASSWORD_FILE'],
    ['DATABASE_URL', 'postgres://hitl@db/hitl?sslmode=require', 'must not set TLS in its query: use DATABASE_SSL_MODE'],
    ['DATABASE_SSL_MODE', 'prefer', 'must be one of disable, require, verify-ca, verify-full'],
    ['DATABASE_PASSWORD_FILE', '/nonexistent/password', 'cannot read /nonexistent/password: no such file'],
    ['LOG_LEVEL', 'verbose', 'must be one of fatal, error, warn, info, debug, trace, silent'],
  ])('rejects %s=%j, naming it', (variable, value, reason) => {
    expect(() => loadConfig(schema, { [variable]: value })).toThrow(new RegExp(`${variable}: ${reason}`));
    expect(problemsOf({ [variable]: value })).toEqual([variable]);
  });

  it('names every bad variable at once, in name order', () => {
    const env = { HTTP_PORT: 'abc', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'nope', DATABASE_URL: 'x' };
    expect(problemsOf(env)).toEqual(['DATABASE_URL', 'HTTP_PORT', 'KAFKA_BROKERS', 'LOG_LEVEL']);
    expect(() => loadConfig(schema, env)).toThrow(/^invalid configuration: DATABASE_URL: .+; HTTP_PORT: .+; KAFKA_BROKERS: .+; LOG_LEVEL: .+$/);
  });

  it('never echoes a value, since some hold secrets', () => {
    expect(() => loadConfig(schema, { DATABASE_URL: 'mysql://admin:hunter2@db/hitl' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });

  it.each([
    [{ DATABASE_SSL_MODE: 'verify-full' }, ['DATABASE_SSL_CA_FILE'], 'must be set with DATABASE_SSL_MODE=verify-full'],
    [{ DATABASE_SSL_MODE: 'verify-ca' }, ['DATABASE_SSL_CA_FILE'], 'must be set with DATABASE_SSL_MODE=verify-ca'],
    [{ DATABASE_SSL_MODE: 'require', DATABASE_SSL_CA_FILE: __filename }, ['DATABASE_SSL_CA_FILE'], 'verifies nothing'],
    [{ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: __filename }, [], ''],
  ])('a service: TLS variables %j', (env, variables, reason) => {
    const service = serviceConfig({ clientId: 'hitl-test', port: 3009 });
    const parsed = service.safeParse(env);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'))).toEqual(variables);
    if (!parsed.success) expect(parsed.error.issues[0].message).toContain(reason);
  });
});
