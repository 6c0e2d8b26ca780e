import { createHash } from 'node:crypto';
import { MESSAGING_SCHEMA, MESSAGING_SCHEMA_VERSIONS, messagingSchemaSql } from '.';

// The SHA-256 of every released version's text. A database that ran a version never runs
// it again, so an edit here would leave old and new databases with different tables.
const RELEASED: Record<string, { up: string; down: string }> = {
  '0001-inbox-and-outbox': {
    up: '82a81dafdf4b5d7790e0147d5ff4774589de799dc7254ad66762d4cca016248f',
    down: 'fe4e8714eab12685480f1df39a3e47e475ba23250e41875e12c3d30347d1b710',
  },
  '0002-outbox-any-bytes': {
    up: '166f63adc3c93add181d844d4dc91081b8015062bd4ff228729f90471c541b62',
    down: '51607c6ff2cd1270b5a6b4797ff303be6981bf317498dc85bc0e51dacb2ce41d',
  },
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('messaging schema versions', () => {
  it.each(Object.keys(RELEASED))('%s is as released', (version) => {
    const text = MESSAGING_SCHEMA[version as keyof typeof MESSAGING_SCHEMA];
    if (!text) throw new Error(`messaging schema ${version} was released and is gone: databases ran it; restore it`);
    for (const direction of ['up', 'down'] as const) {
      const actual = sha256(text[direction]);
      if (actual !== RELEASED[version][direction]) {
        throw new Error(
          `messaging schema ${version} (${direction}) was edited after its release (SHA-256 ${actual}): restore it and add a new version instead`,
        );
      }
    }
  });

  it('pins every version (a new one: its SHA-256 goes into RELEASED with the version)', () => {
    expect(MESSAGING_SCHEMA_VERSIONS.filter((v) => !RELEASED[v])).toEqual([]);
  });

  it('puts the quoted schema in place of every {schema}', () => {
    const sql = messagingSchemaSql('0001-inbox-and-outbox', 'down', 'router');
    expect(sql).toContain('DROP TABLE "router".outbox;');
    expect(sql).not.toContain('{schema}');
    expect(() => messagingSchemaSql('0001-inbox-and-outbox', 'up', 'Robert"; DROP')).toThrow('invalid schema name');
  });
});
