// PostgreSQL as a managed service gives it: TCP only over TLS, and a password for every
// login. The four services start against such a server with every password from a file
// (DATABASE_PASSWORD_FILE, and the audit writer's AUDIT_WRITER_PASSWORD_FILE) and the
// server's certificate checked (verify-full); a service that does not ask for TLS is
// turned away by the server. The server is this test's own (OwnPostgres), given a
// certificate made for the run.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Launcher, OwnPostgres, SERVICES, deleteTopicsStartingWith, freePort, query, testTrust } from '@hitl/testing';
import { Kafka, logLevel } from 'kafkajs';
import { TOKENS } from './support/stack';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'postgres-tls-test', brokers, logLevel: logLevel.NOTHING });
const prefix = `t-pgtls-${randomBytes(4).toString('hex')}.`;
const dir = mkdtempSync(join(tmpdir(), 'hitl-pgtls-'));
const secret = (name: string) => {
  const file = join(dir, name);
  writeFileSync(file, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  return file;
};

describe('the services on a PostgreSQL that wants TLS and passwords', () => {
  const ownerPasswordFile = secret('owner-password');
  const writerPasswordFile = secret('writer-password');
  let postgres: OwnPostgres;
  let launcher: Launcher;

  const launch = (env: Record<string, string>) =>
    new Launcher({
      from: 'source',
      readyTimeoutMs: 90_000,
      settings: {
        databaseUrl: postgres.url,
        brokers,
        topicPrefix: prefix,
        logLevel: process.env.HITL_TEST_VERBOSE ? 'debug' : 'warn',
        reviewerTokens: { alice: TOKENS.alice, dana: TOKENS.dana },
        auditorTokens: { compliance: TOKENS.compliance },
      },
      env: () => env,
      trust: (name) => testTrust().env(name),
    });

  beforeAll(async () => {
    const password = readFileSync(ownerPasswordFile, 'utf8').trim();
    postgres = new OwnPostgres(await freePort(), { password, tls: true });
    await postgres.init();
  });

  afterAll(async () => {
    await launcher?.stop();
    await deleteTopicsStartingWith(kafka, prefix);
    postgres?.remove();
  });

  it('start with passwords only from files, over TLS with the certificate checked, the audit writing through its own role', async () => {
    launcher = launch({
      DATABASE_PASSWORD_FILE: ownerPasswordFile,
      DATABASE_SSL_MODE: 'verify-full',
      DATABASE_SSL_CA_FILE: postgres.caFile,
      AUDIT_WRITER_PASSWORD_FILE: writerPasswordFile,
    });
    const started = await launcher.startAll(SERVICES);
    for (const service of started) expect((await fetch(`${service.url}/readyz`)).status).toBe(200);

    // Every connection of theirs is encrypted; the audit's runtime one logs in as its writer role.
    const sessions = await query<{ application_name: string; usename: string; ssl: boolean }>(
      `SELECT a.application_name, a.usename, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
        WHERE a.application_name LIKE 'hitl-%' AND a.backend_type = 'client backend'`,
      [],
      postgres.adminUrl(),
    );
    expect(new Set(sessions.map((s) => s.application_name))).toEqual(new Set(SERVICES.map((s) => `hitl-${s}`)));
    expect(sessions.filter((s) => !s.ssl)).toEqual([]);
    expect(sessions.filter((s) => s.application_name === 'hitl-audit').map((s) => s.usename)).toContain('audit_writer');
  });

  it('a service that does not ask for TLS is turned away, and says where and why', async () => {
    const plain = launch({ DATABASE_PASSWORD_FILE: ownerPasswordFile, DATABASE_SSL_MODE: 'disable' });
    await expect(plain.start('calibrator', { readyTimeoutMs: 30_000 })).rejects.toThrow(/no encryption|pg_hba\.conf rejects/);
    await plain.stop();
  });
});
