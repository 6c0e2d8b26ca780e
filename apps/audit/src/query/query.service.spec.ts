import { AuditEventView, EventRow } from './event-view';
import { EventFilters, Position } from './events-query';
import { EventsReader } from './events.reader';
import { QueryService } from './query.service';

/** The record as a sorted array, read the way the database reads it: after a position, a page at a time. */
class ArrayReader {
  readonly pageSizes: number[] = [];

  constructor(private readonly rows: EventRow[]) {}

  async page(_workspace: string, _filters: EventFilters, after: Position | null, limit: number): Promise<EventRow[]> {
    const start = after ? this.rows.findIndex((r) => r.seq === after.seq) + 1 : 0;
    const page = this.rows.slice(start, start + limit);
    this.pageSizes.push(page.length);
    return page;
  }
}

const rows: EventRow[] = Array.from({ length: 2_345 }, (_, i) => {
  const time = new Date(Date.UTC(2026, 10, 22, 9, 0, 0, i));
  return {
    seq: String(i + 1),
    event_id: `e${i + 1}`,
    workspace: 'acme-support',
    chain_index: String(i + 1),
    topic: 'decision.proposed',
    type: 'hitl.other.v1',
    decision_id: null,
    actor_kind: 'agent',
    actor_id: 'refund-bot',
    action: 'process_refund',
    occurred_at: time,
    occurred_key: `${time.toISOString().slice(0, -1)}000Z`,
    recorded_at: time,
    manifest_version: null,
    event: {},
    prev_hash: 'p',
    hash: 'h',
    verified: true,
    signer: 'agent:refund-bot',
    refusal: null,
  };
});

const acme = { id: 'aud-acme', name: 'Acme', workspaces: ['acme-support'] };

describe('an export', () => {
  it('reads the whole record a page at a time, every row once and in order', async () => {
    const reader = new ArrayReader(rows);
    const run = new QueryService(reader as unknown as EventsReader).export(acme, { format: 'ndjson' });
    const seen: AuditEventView[] = [];
    for await (const page of run.pages) seen.push(...page);
    expect(run.workspace).toBe('acme-support');
    expect(seen.map((v) => v.seq)).toEqual(rows.map((r) => Number(r.seq)));
    expect(reader.pageSizes).toEqual([1_000, 1_000, 345]);
  });

  it('reads nothing more once the reader stops asking', async () => {
    const reader = new ArrayReader(rows);
    const run = new QueryService(reader as unknown as EventsReader).export(acme, { format: 'csv' });
    for await (const page of run.pages) {
      expect(page).toHaveLength(1_000);
      break;
    }
    expect(reader.pageSizes).toEqual([1_000]);
  });

  it("is refused before anything is read when the workspace is not the auditor's", () => {
    const reader = new ArrayReader(rows);
    expect(() => new QueryService(reader as unknown as EventsReader).export(acme, { format: 'csv', workspace: 'globex' })).toThrow(
      'you may not read workspace globex',
    );
    expect(reader.pageSizes).toEqual([]);
  });
});
