// `--migrate-only`: what a Kubernetes migration Job runs before the replicas roll. The
// schema is made and migrated as its owner, then the process exits 0 without consuming or
// serving; run again, it has nothing to do and exits 0 as well.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { databaseUrl, query, testTrust } from '@hitl/testing';
import { auditService } from '../src/service';

const root = resolve(__dirname, '../../..');
const database = `hitl_t_migrate_${randomBytes(4).toString('hex')}`;

function migrateOnly() {
  return spawnSync(process.execPath, ['-r', '@swc-node/register', resolve(root, 'apps/audit/src/main.ts'), '--migrate-only'], {
    cwd: root,
    env: { ...process.env, ...testTrust().env('audit'), DATABASE_URL: databaseUrl({ database }), HTTP_PORT: '0', LOG_LEVEL: 'info' },
    encoding: 'utf8',
    timeout: 90_000,
  });
}

describe('the audit with --migrate-only', () => {
  beforeAll(() => query(`CREATE DATABASE "${database}"`));
  afterAll(() => query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));

  it('migrates its schema and exits 0 without serving; a second run has nothing to do', async () => {
    const first = migrateOnly();
    expect([first.status, first.signal]).toEqual([0, null]);
    expect(first.stdout).toContain('schema migrated (--migrate-only)');
    expect(first.stdout).not.toMatch(/listening on|consuming/);
    const [{ n }] = await query<{ n: number }>('SELECT count(*)::int AS n FROM audit.migrations', [], databaseUrl({ database }));
    expect(n).toBe(auditService.migrations.length);
    const [{ tables }] = await query<{ tables: number }>(
      "SELECT count(*)::int AS tables FROM information_schema.tables WHERE table_schema = 'audit' AND table_name IN ('events', 'inbox', 'outbox')",
      [],
      databaseUrl({ database }),
    );
    expect(tables).toBe(3);

    const second = migrateOnly();
    expect([second.status, second.signal]).toEqual([0, null]);
    const [{ again }] = await query<{ again: number }>('SELECT count(*)::int AS again FROM audit.migrations', [], databaseUrl({ database }));
    expect(again).toBe(auditService.migrations.length);
  });
});
