// The audit's COPY on the real database: hostile text goes in and comes back exactly as it
// was, nulls stay null, and a COPY that fails leaves the connection usable for the rollback.
import { ChainedRecord } from '@hitl/audit-trail';
import { databaseUrl } from '@hitl/testing';
import { Client } from 'pg';
import { copyLine, copyRows } from '../src/ingestion/copy-rows';

const HOSTILE = [
  '',
  '\\N',
  '\\',
  'tab\there',
  'two\nlines',
  'cr\r\nlf',
  '\n\\.\n',
  '\\t is not a tab',
  'bell\u0007 vt\u000b ff\u000c esc\u001b',
  'é ü 中文 😀 \u2028 \ufeff',
  '"quoted" \'single\'',
  'a'.repeat(10_000),
];

function row(i: number, text: string | null): ChainedRecord {
  return {
    event_id: `copy-${i}-${text ?? 'null'}`,
    workspace: text ?? 'acme',
    chain_index: i + 1,
    topic: 'hitl.decisions',
    type: 'hitl.decision.proposed.v1',
    decision_id: i % 2 ? null : '6f1c1f9e-8a2b-4c3d-9e4f-5a6b7c8d9e0f',
    actor_kind: 'agent',
    actor_id: text ?? 'bot',
    action: text,
    occurred_at: '2026-01-02T03:04:05.006Z',
    manifest_version: text,
    event: { text, nested: { [text ?? 'k']: [text, 1.5, true, null] } },
    prev_hash: 'sha256:prev',
    hash: 'sha256:hash',
    verified: text === null ? null : i % 2 === 0,
    signer: text === null || i % 2 ? null : text,
    refusal: text === null || i % 2 === 0 ? null : text,
  };
}

describe('COPY of audit rows', () => {
  const client = new Client({ connectionString: databaseUrl() });

  beforeAll(async () => {
    await client.connect();
    await client.query(`CREATE TEMP TABLE copy_events (
      seq bigserial, event_id text NOT NULL UNIQUE, workspace text NOT NULL, chain_index bigint NOT NULL, topic text NOT NULL,
      type text NOT NULL, decision_id uuid, actor_kind text NOT NULL, actor_id text NOT NULL, action text, occurred_at timestamptz NOT NULL,
      manifest_version text, event jsonb NOT NULL, prev_hash text NOT NULL, hash text NOT NULL, verified boolean, signer text, refusal text)`);
  });

  afterAll(() => client.end());

  it('keeps every value exactly, hostile text and nulls alike', async () => {
    const rows = [...HOSTILE.map((text, i) => row(i, text)), row(HOSTILE.length, null)];
    await client.query('BEGIN');
    expect(
      await copyRows(
        client,
        'copy_events',
        rows.map((r) => copyLine(r)),
      ),
    ).toBe(rows.length);
    await client.query('COMMIT');
    const back = (
      await client.query(
        `SELECT event_id, workspace, chain_index::int AS chain_index, topic, type, decision_id, actor_kind, actor_id, action,
                to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, manifest_version, event,
                prev_hash, hash, verified, signer, refusal
           FROM copy_events ORDER BY seq`,
      )
    ).rows;
    expect(back).toEqual(rows);
  });

  it('a COPY the table refuses rolls back, and the connection carries on', async () => {
    await client.query('BEGIN');
    await expect(copyRows(client, 'copy_events', [copyLine(row(0, ''))])).rejects.toThrow(/duplicate key/);
    await client.query('ROLLBACK');
    expect((await client.query('SELECT count(*)::int AS n FROM copy_events')).rows[0].n).toBe(HOSTILE.length + 1);
  });
});
