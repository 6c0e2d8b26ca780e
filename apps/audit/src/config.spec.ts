import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from '@hitl/service-kit';
import { auditConfig } from './config';

const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(auditConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the config was accepted');
};

describe('the audit config', () => {
  it('has defaults for everything: no auditors file override, no signing key, no retention, a daily job', () => {
    const config = loadConfig(auditConfig, {});
    expect(config).toMatchObject({ AUDITORS_PATH: 'config/auditors.yaml', AUDITOR_TOKENS: {}, AUDIT_RETENTION_INTERVAL_MS: 86_400_000, HTTP_PORT: 3003 });
    expect(config.AUDIT_SIGNING_KEY).toBeUndefined();
    expect(config.AUDIT_RETENTION).toBeUndefined();
  });

  it('gathers AUDITOR_TOKEN_* variables, and only those, for the auditors file', () => {
    const config = loadConfig(auditConfig, { AUDITOR_TOKEN_INES: 'ines-token-0123456789', REVIEWER_TOKEN_ALICE: 'alice-token-0123456789' });
    expect(config.AUDITOR_TOKENS).toEqual({ AUDITOR_TOKEN_INES: 'ines-token-0123456789' });
  });

  it('reads the signing key and the retention periods', () => {
    const config = loadConfig(auditConfig, { AUDIT_SIGNING_KEY: pem, AUDIT_RETENTION: 'acme-support=365d,*=730d', AUDIT_RETENTION_INTERVAL_MS: '0' });
    expect(config.AUDIT_SIGNING_KEY?.asymmetricKeyType).toBe('ed25519');
    expect(config.AUDIT_RETENTION?.fallback?.text).toBe('730d');
    expect(config.AUDIT_RETENTION_INTERVAL_MS).toBe(0);
  });

  it('names every bad variable, never echoing a key', () => {
    const problems = problemsOf({ AUDIT_SIGNING_KEY: 'secret-material', AUDIT_RETENTION: 'acme-support=1y', AUDIT_RETENTION_INTERVAL_MS: '10' });
    expect(problems.map((p) => p.variable)).toEqual(['AUDIT_RETENTION', 'AUDIT_RETENTION_INTERVAL_MS', 'AUDIT_SIGNING_KEY']);
    expect(problems.find((p) => p.variable === 'AUDIT_RETENTION')?.reason).toContain('acme-support: "1y" is not a period');
    expect(JSON.stringify(problems)).not.toContain('secret-material');
  });

  it('refuses two sources of the signing key', () => {
    expect(problemsOf({ AUDIT_SIGNING_KEY: pem, AUDIT_SIGNING_KEY_FILE: '/etc/hitl/audit.pem' })).toEqual([
      { variable: 'AUDIT_SIGNING_KEY_FILE', reason: 'is set as well as AUDIT_SIGNING_KEY; set one' },
    ]);
  });
});
