import { fieldIssues } from '@hitl/service-kit';
import { ExportQuery, SearchQuery, decodeCursor, encodeCursor, isRfc3339, searchStatement } from './events-query';

const issuesOf = (schema: typeof SearchQuery | typeof ExportQuery, query: Record<string, unknown>) => {
  const result = schema.safeParse(query);
  return result.success ? [] : fieldIssues(result.error, 'unknown parameter').map((i) => `${i.field}: ${i.message}`);
};

describe('GET /audit/events query parameters', () => {
  it('takes every filter, with limit 100 by default', () => {
    const query = SearchQuery.parse({
      workspace: 'acme-support',
      agent: 'refund-bot',
      action: 'process_refund',
      reviewer: 'rev-alice',
      status: 'approved',
      type: 'hitl.approval.resolved.v1',
      from: '2026-11-22T09:00:00Z',
      to: '2026-11-22T11:00:00+01:00',
    });
    expect(query).toMatchObject({ limit: 100, status: 'approved', from: new Date('2026-11-22T09:00:00Z'), to: new Date('2026-11-22T10:00:00Z') });
  });

  it('reads limit from the query string', () => {
    expect(SearchQuery.parse({ limit: '500' }).limit).toBe(500);
  });

  it.each([
    ['limit above 500', { limit: '501' }, 'limit: must be a whole number from 1 to 500'],
    ['limit 0', { limit: '0' }, 'limit: must be a whole number from 1 to 500'],
    ['limit not a number', { limit: 'ten' }, 'limit: must be a whole number from 1 to 500'],
    ['a time without a zone', { from: '2026-11-22T09:00:00' }, 'from: must be an RFC 3339 time with a zone'],
    ['a date that does not exist', { to: '2026-02-30T00:00:00Z' }, 'to: must be an RFC 3339 time'],
    ['a date alone', { from: '2026-11-22' }, 'from: must be an RFC 3339 time'],
    ['to before from', { from: '2026-11-22T10:00:00Z', to: '2026-11-22T09:00:00Z' }, 'to: must be later than from'],
    ['a status that is not one', { status: 'maybe' }, 'status: must be one of approved, denied, blocked, expired'],
    ['a type that is not one', { type: 'hitl.nope.v1' }, 'type: must be an event type of the contract'],
    ['a parameter given twice', { agent: ['a', 'b'] }, 'agent: must be given once'],
    ['a blank reviewer', { reviewer: ' ' }, 'reviewer: must not be blank'],
    ['an unknown parameter', { agnet: 'refund-bot' }, 'agnet: unknown parameter'],
    ['a cursor this API did not give', { cursor: 'bm9wZQ' }, 'cursor: is not a cursor of this API'],
    ['a workspace with a line break', { workspace: 'acme\nsupport' }, 'workspace: must not hold control characters'],
  ])('refuses %s, naming the parameter', (_name, query, issue) => {
    expect(issuesOf(SearchQuery, query).join('\n')).toContain(issue);
  });

  it('export takes the same filters and a format, ndjson by default', () => {
    expect(ExportQuery.parse({ agent: 'refund-bot' })).toEqual({ agent: 'refund-bot', format: 'ndjson' });
    expect(issuesOf(ExportQuery, { format: 'xml' })).toEqual(['format: must be ndjson or csv']);
    expect(issuesOf(ExportQuery, { limit: '5' })).toEqual(['limit: unknown parameter']);
  });
});

describe('RFC 3339 instants', () => {
  it.each([
    ['2026-11-22T09:00:00Z', true],
    ['2026-11-22T09:00:00.123456Z', true],
    ['2026-11-22t09:00:00+05:30', true],
    ['2026-11-22 09:00:00Z', false],
    ['2026-11-22T24:00:00Z', false],
    ['2026-13-01T00:00:00Z', false],
    ['2028-02-29T00:00:00Z', true],
    ['2026-02-29T00:00:00Z', false],
    ['yesterday', false],
  ])('%s: %s', (text, valid) => {
    expect(isRfc3339(text)).toBe(valid);
  });
});

describe('the cursor', () => {
  const position = { occurred: '2026-11-22T09:00:00.123456Z', seq: '42' };

  it('gives back the position it was made from, and is URL-safe', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64 JSON', 'not a cursor!'],
    ['JSON of another shape', Buffer.from('{"seq":1}').toString('base64url')],
    ['a time rounded to milliseconds', encodeCursor({ occurred: '2026-11-22T09:00:00.123Z', seq: '1' })],
    ['a seq that is not a number', encodeCursor({ occurred: position.occurred, seq: '1; DROP TABLE' })],
    ['a seq of 0', encodeCursor({ occurred: position.occurred, seq: '0' })],
    ['far too long', 'a'.repeat(201)],
  ])('refuses %s', (_name, cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});

describe('the search statement', () => {
  it('binds every value as a parameter, keyset after the cursor, one row more than the page', () => {
    const query = SearchQuery.parse({ agent: "o'brien", status: 'denied', from: '2026-11-22T09:00:00Z' });
    const { text, params } = searchStatement('"audit".events', 'acme-support', query, { occurred: '2026-11-22T09:00:00.000000Z', seq: '7' }, 101);
    expect(params).toEqual(['acme-support', "o'brien", 'denied', '2026-11-22T09:00:00.000Z', '2026-11-22T09:00:00.000000Z', '7', 101]);
    expect(text).not.toContain("o'brien");
    expect(text).toMatch(/\(occurred_at, seq\) > \(\$5::timestamptz, \$6::bigint\)/);
    expect(text).toMatch(/ORDER BY occurred_at, seq LIMIT \$7$/);
  });
});

describe('what a search counts', () => {
  it('finds refused events with verified=false; status, agent and reviewer never match one', () => {
    const { text, params } = searchStatement(
      '"audit".events',
      'acme-support',
      SearchQuery.parse({ status: 'approved', agent: 'refund-bot', reviewer: 'rev-alice', verified: 'false' }),
      null,
      10,
    );
    expect(params).toEqual(['acme-support', 'refund-bot', 'rev-alice', 'approved', false, 10]);
    expect(text).toContain(`type = 'hitl.approval.resolved.v1' AND verified IS NOT FALSE AND event #>> '{data,status}' = $4`);
    expect(text).toContain(`OR (verified IS NOT FALSE AND (event #>> '{data,agent,id}' = $2`);
    expect(text).toContain(`actor_kind = 'reviewer' AND actor_id = $3`);
    expect(text).toContain('verified = $5');
    expect(SearchQuery.parse({ verified: 'true' }).verified).toBe(true);
    expect(SearchQuery.safeParse({ verified: 'yes' }).success).toBe(false);
  });
});
