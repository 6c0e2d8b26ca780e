import { fieldIssues } from '@hitl/service-kit';
import { Urgency } from '@hitl/contracts';
import { InboxQuery, compareInbox, decodeCursor, encodeCursor, inboxCountsSql, inboxSql, pageOf } from './inbox-query';

const alice = { id: 'alice', roles: ['support_agent'], workspaces: ['acme'] };
const query = (q: Record<string, unknown> = {}) => InboxQuery.parse(q);
const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('the inbox query string', () => {
  it('defaults to every open approval the caller may decide, 50 a page', () => {
    expect(query()).toEqual({ queue: 'blocking', assigned: 'all', limit: 50 });
  });

  it.each([
    ['limit as text', { limit: '10' }, { limit: 10 }],
    ['the largest page', { limit: '200' }, { limit: 200 }],
    [
      'every filter',
      { assigned: 'queue', action: 'process_refund', agent: 'refund-bot', route: 'escalate', status: 'clarifying', workspace: 'acme' },
      { queue: 'blocking', assigned: 'queue', route: 'escalate', status: 'clarifying' },
    ],
    ['the post-review queue', { queue: 'post_review', route: 'post_review' }, { queue: 'post_review', route: 'post_review' }],
  ])('accepts %s', (_name, input, expected) => {
    expect(query(input)).toMatchObject(expected);
  });

  it.each([
    ['a page above 200', { limit: '201' }, 'limit'],
    ['a page of 0', { limit: '0' }, 'limit'],
    ['a fractional page', { limit: '2.5' }, 'limit'],
    ['a page that is not a number', { limit: 'all' }, 'limit'],
    ['another assignment', { assigned: 'mine' }, 'assigned'],
    ['a closed status', { status: 'approved' }, 'status'],
    ['an unknown route', { route: 'auto' }, 'route'],
    ['an unknown queue', { queue: 'later' }, 'queue'],
    ['a route of the other queue', { route: 'post_review' }, 'route'],
    ['a blocking route in the post-review queue', { queue: 'post_review', route: 'human_review' }, 'route'],
    ['a blank action', { action: ' ' }, 'action'],
    ['a repeated filter', { action: ['a', 'b'] }, 'action'],
    ['an unknown parameter', { sort: 'oldest' }, 'sort'],
  ])('refuses %s, naming %s', (_name, input, field) => {
    const result = InboxQuery.safeParse(input);
    expect(result.success).toBe(false);
    expect(fieldIssues(result.error!).map((i) => i.field)).toEqual([field]);
  });
});

describe('the cursor', () => {
  it.each([
    [{ group: 0 as const, rank: 0, deadline: '2026-11-22T10:00:00.123456Z', approvalId: ID(1) }],
    [{ group: 1 as const, rank: 3, deadline: 'infinity', approvalId: ID(2) }],
  ])('round-trips %j', (position) => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64 JSON', 'nope!'],
    ['JSON of another shape', Buffer.from('{"a":1}').toString('base64url')],
    ['another group', encodeCursor({ group: 2 as 0, rank: 0, deadline: 'infinity', approvalId: ID(1) })],
    ['an urgency rank that is none', encodeCursor({ group: 0, rank: 4, deadline: 'infinity', approvalId: ID(1) })],
    ['an urgency rank as text', encodeCursor({ group: 0, rank: '0' as unknown as number, deadline: 'infinity', approvalId: ID(1) })],
    ['a deadline PostgreSQL did not write', encodeCursor({ group: 0, rank: 0, deadline: "now'); DROP TABLE approvals; --", approvalId: ID(1) })],
    ['a date without microseconds', encodeCursor({ group: 0, rank: 0, deadline: '2026-11-22T10:00:00Z', approvalId: ID(1) })],
    ['an id that is not a UUID', encodeCursor({ group: 0, rank: 0, deadline: 'infinity', approvalId: 'x' })],
    ['a cursor of the old three-part shape', Buffer.from(JSON.stringify([0, 'infinity', ID(1)])).toString('base64url')],
  ])('refuses %s', (_name, cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});

describe('the page query', () => {
  const table = '"escalation".approvals';

  it('selects what the caller may decide: open, in their workspaces, at a role they hold or outrank', () => {
    const { text, params } = inboxSql(table, alice, query(), null);
    expect(params).toEqual(['alice', ['support_agent'], ['acme'], 51]);
    expect(text).toContain(`a.status IN ('pending', 'clarifying')`);
    expect(text).toContain(`('*' = ANY ($3::text[]) OR a.workspace = ANY ($3::text[]))`);
    expect(text).toContain('a.reviewer_role = ANY ($2::text[])');
    expect(text).toContain('path.rank >= array_position(a.action_path, a.reviewer_role)');
    expect(text).toContain(`a.route <> 'post_review'`);
    // The caller's own, then the rest role by role, each in the index's order; the page in the same order.
    expect(text).toContain("a.assignee = $1 ORDER BY a.urgency_rank, COALESCE(a.sla_deadline, 'infinity'::timestamptz), a.approval_id LIMIT $4");
    expect(text).toContain('a.reviewer_role = roles.role AND a.assignee IS DISTINCT FROM $1 ORDER BY a.urgency_rank');
    expect(text).toMatch(/ORDER BY c\.sort_group, c\.sort_rank, c\.deadline, c\.approval_id\s+LIMIT \$4$/);
  });

  it('the post-review queue: only post-reviews, by the end of their review window (no urgency)', () => {
    const { text } = inboxSql(table, alice, query({ queue: 'post_review' }), null);
    expect(text).toContain(`a.route = 'post_review'`);
    expect(text).not.toContain(`a.route <> 'post_review'`);
    expect(text).toContain(`0 AS sort_rank`);
    expect(text).toContain(`ORDER BY COALESCE(a.sla_deadline, 'infinity'::timestamptz), a.approval_id LIMIT`);
  });

  it.each([
    ['assigned=me: only the caller’s own', { assigned: 'me' }, ['a.assignee = $1'], ['roles.role AND']],
    ['assigned=queue: only the rest', { assigned: 'queue' }, ['a.assignee IS DISTINCT FROM $1'], ['a.assignee = $1 ORDER BY']],
  ])('%s', (_name, q, present, absent) => {
    const { text } = inboxSql(table, alice, query(q), null);
    for (const fragment of present) expect(text).toContain(fragment);
    for (const fragment of absent) expect(text).not.toContain(fragment);
  });

  it('counts both queues with the same filters, whatever the queue asked for', () => {
    const { text, params } = inboxCountsSql(table, alice, query({ queue: 'post_review', assigned: 'me', action: 'process_refund' }));
    expect(text).toContain(`count(*) FILTER (WHERE a.route <> 'post_review')::int AS blocking`);
    expect(text).toContain(`count(*) FILTER (WHERE a.route = 'post_review')::int AS post_review`);
    expect(text).toContain('a.assignee = $3');
    expect(text).toContain('a.action = $4');
    expect(text).not.toContain(`(a.route = 'post_review') =`);
    expect(params).toEqual([['support_agent'], ['acme'], 'alice', 'process_refund']);
  });

  it('counts without the caller’s id when no filter needs it (PostgreSQL cannot type an unused parameter)', () => {
    const { text, params } = inboxCountsSql(table, alice, query());
    expect(params).toEqual([['support_agent'], ['acme']]);
    expect(text).toContain('a.workspace = ANY ($2::text[])');
  });

  it.each([
    ['assigned=me', { assigned: 'me' }, ['a.assignee = $1'], []],
    ['assigned=queue', { assigned: 'queue' }, ['a.assignee IS DISTINCT FROM $1'], []],
    ['an action', { action: 'process_refund' }, ['a.action = $4'], ['process_refund']],
    ['an agent', { agent: 'refund-bot' }, ['a.agent_id = $4'], ['refund-bot']],
    ['a route', { route: 'escalate' }, ['a.route = $4'], ['escalate']],
    ['a status', { status: 'clarifying' }, ['a.status = $4'], ['clarifying']],
    ['a workspace', { workspace: 'acme' }, ['a.workspace = $4'], ['acme']],
    [
      'several at once',
      { assigned: 'me', agent: 'refund-bot', status: 'pending' },
      ['a.assignee = $1', 'a.agent_id = $4', 'a.status = $5'],
      ['refund-bot', 'pending'],
    ],
  ])('filters by %s, values as parameters', (_name, q, fragments, values) => {
    const { text, params } = inboxSql(table, alice, query(q), null);
    for (const fragment of fragments) expect(text).toContain(fragment);
    expect(params).toEqual(['alice', ['support_agent'], ['acme'], ...values, 51]);
  });

  it('never writes a filter value into the SQL', () => {
    const hostile = "x' OR '1'='1";
    const { text, params } = inboxSql(table, alice, query({ action: hostile, agent: hostile, workspace: hostile }), null);
    expect(text).not.toContain(hostile);
    expect(params.filter((p) => p === hostile)).toHaveLength(3);
  });

  it('continues after the cursor, in the order of the page: past the caller’s own, only the rest', () => {
    const after = { group: 1 as const, rank: 2, deadline: 'infinity', approvalId: ID(7) };
    const { text, params } = inboxSql(table, alice, query({ limit: '10' }), after);
    expect(text).not.toContain('a.assignee = $1 ORDER BY');
    expect(text).toContain(`(a.urgency_rank, COALESCE(a.sla_deadline, 'infinity'::timestamptz), a.approval_id) > ($5::int, $6::timestamptz, $7::uuid)`);
    expect(params).toEqual(['alice', ['support_agent'], ['acme'], 11, 2, 'infinity', ID(7)]);
  });

  it('continues within the caller’s own: their rest after the cursor, then the whole of the others', () => {
    const after = { group: 0 as const, rank: 1, deadline: '2026-11-22T10:00:00.000000Z', approvalId: ID(3) };
    const { text } = inboxSql(table, alice, query({ queue: 'post_review' }), after);
    expect(text).toContain(`a.assignee = $1 AND (COALESCE(a.sla_deadline, 'infinity'::timestamptz), a.approval_id) > ($5::timestamptz, $6::uuid)`);
    expect(text).toMatch(/a\.assignee IS DISTINCT FROM \$1 ORDER BY/);
  });
});

describe('a page', () => {
  const rows = [
    { approval_id: ID(1), sort_group: 0 as const, sort_rank: 2, sort_deadline: '2026-11-22T10:00:00.000000Z' },
    { approval_id: ID(2), sort_group: 1 as const, sort_rank: 1, sort_deadline: '2026-11-22T09:00:00.000000Z' },
    { approval_id: ID(3), sort_group: 1 as const, sort_rank: 3, sort_deadline: 'infinity' },
  ];

  it.each([
    ['fewer rows than the limit: the last page', 2, 3, null],
    ['exactly the limit: the last page', 2, 2, null],
    [
      'one row more than the limit: the next page starts after the last row shown',
      3,
      2,
      { group: 1, rank: 1, deadline: '2026-11-22T09:00:00.000000Z', approvalId: ID(2) },
    ],
  ])('%s', (_name, fetched, limit, next) => {
    const page = pageOf(rows.slice(0, fetched), limit);
    expect(page.rows).toEqual(rows.slice(0, Math.min(fetched, limit)));
    expect(page.next === null ? null : decodeCursor(page.next)).toEqual(next);
  });
});

describe('the inbox order', () => {
  const at = (minutes: number | null) => (minutes === null ? null : new Date(Date.UTC(2026, 10, 22, 9, minutes)));
  const item = (n: number, assignee: string | null, minutes: number | null, urgency: Urgency = 'normal') => ({
    approval_id: ID(n),
    assignee,
    sla_deadline: at(minutes),
    urgency,
  });

  it.each([
    ['the caller’s own before anyone else’s, whatever the deadlines', [item(1, 'bob', 1), item(2, 'alice', 50)], [2, 1]],
    ['soonest deadline first', [item(1, 'alice', 30), item(2, 'alice', 10), item(3, 'alice', 20)], [2, 3, 1]],
    ['paused clocks (clarifying) last in their group', [item(1, 'alice', null), item(2, 'alice', 59), item(3, null, null), item(4, null, 5)], [2, 1, 4, 3]],
    ['unassigned and colleagues’ alike, by deadline', [item(1, null, 20), item(2, 'bob', 10)], [2, 1]],
    ['same deadline: by id', [item(2, 'bob', 10), item(1, null, 10)], [1, 2]],
    ['the most urgent first, whatever the deadlines', [item(1, null, 1, 'low'), item(2, null, 50, 'critical'), item(3, null, 5, 'high')], [2, 3, 1]],
    ['the caller’s own low before the queue’s critical', [item(1, null, 1, 'critical'), item(2, 'alice', 50, 'low')], [2, 1]],
  ])('%s', (_name, items, expected) => {
    expect([...items].sort(compareInbox('alice')).map((i) => Number(i.approval_id.slice(-12)))).toEqual(expected);
  });

  it('the post-review queue goes by the end of the review window alone', () => {
    const items = [item(1, null, 30, 'critical'), item(2, null, 10, 'low')];
    expect([...items].sort(compareInbox('alice', 'post_review')).map((i) => Number(i.approval_id.slice(-12)))).toEqual([2, 1]);
  });
});
