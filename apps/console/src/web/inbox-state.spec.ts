import { ApprovalChange, InboxItem } from '@hitl/reviewer-api';
import { applyChange, countsReadDelay, moveCursor, queueOf, selectSimilar, selectedItems, similarKey, sortInbox, statusWords, toggle } from './inbox-state';

const item = (id: string, overrides: Partial<InboxItem> = {}): InboxItem => ({
  approval_id: id,
  decision_id: `d-${id}`,
  action: 'process_refund',
  workspace: 'acme-support',
  route: 'human_review',
  status: 'pending',
  reviewer_role: 'support_agent',
  assignee: 'alice',
  sla_deadline: '2026-11-22T10:00:00.000Z',
  time_left_seconds: 600,
  sla_paused: false,
  expires_at: null,
  urgency: 'normal',
  consequence: { severity: 'high', reversible: false },
  amount: 120,
  summary: `Refund for ${id}.`,
  agent_summary: 'words',
  agent: { id: 'refund-bot' },
  payload_hash: `sha256:${id}`,
  created_at: '2026-11-22T09:00:00.000Z',
  ...overrides,
});

const change = (c: ApprovalChange['change'], it: InboxItem, status = it.status, resolvedBy: string | null = null): ApprovalChange => ({
  change: c,
  approval_id: it.approval_id,
  status,
  resolved_by: resolvedBy,
  item: { ...it, status },
});
const ids = (items: InboxItem[]) => items.map((i) => i.approval_id);

describe('the inbox in the console', () => {
  it("sorts like the API: the viewer's own first, then deadline (none last), then id", () => {
    const items = [
      item('c', { assignee: 'bruno', sla_deadline: '2026-11-22T09:10:00.000Z' }),
      item('b', { sla_deadline: null }),
      item('a2', { sla_deadline: '2026-11-22T09:30:00.000Z' }),
      item('a1', { sla_deadline: '2026-11-22T09:30:00.000Z' }),
      item('z', { sla_deadline: '2026-11-22T09:20:00.000Z' }),
    ];
    expect(ids(sortInbox(items, 'alice'))).toEqual(['z', 'a1', 'a2', 'b', 'c']);
  });

  // One set of lines, in each queue's order (libs/reviewer-api, the escalation's compareInbox).
  const mixed = [
    item('low-soon', { urgency: 'low', sla_deadline: '2026-11-22T09:05:00.000Z' }),
    item('normal-late', { urgency: 'normal', sla_deadline: '2026-11-22T09:50:00.000Z' }),
    item('critical-late', { urgency: 'critical', sla_deadline: '2026-11-22T09:55:00.000Z' }),
    item('high-paused', { urgency: 'high', sla_deadline: null, sla_paused: true, status: 'clarifying' }),
    item('high-soon', { urgency: 'high', sla_deadline: '2026-11-22T09:10:00.000Z' }),
    item('theirs-critical', { urgency: 'critical', assignee: 'bruno', sla_deadline: '2026-11-22T09:01:00.000Z' }),
    item('unassigned-low', { urgency: 'low', assignee: null, sla_deadline: '2026-11-22T09:00:00.000Z' }),
  ];
  it.each([
    [
      'blocking: own first, then urgency (critical, high, normal, low), then deadline with paused last, then id',
      'blocking',
      ['critical-late', 'high-soon', 'high-paused', 'normal-late', 'low-soon', 'theirs-critical', 'unassigned-low'],
    ],
    [
      'post_review: own first, then deadline (the end of the review window), urgency aside, then id',
      'post_review',
      ['low-soon', 'high-soon', 'normal-late', 'critical-late', 'high-paused', 'unassigned-low', 'theirs-critical'],
    ],
  ] as const)('sorts the %s', (_case, queue, expected) => {
    expect(ids(sortInbox(mixed, 'alice', queue))).toEqual(expected);
  });

  it('ties on everything else are broken by approval id', () => {
    const same = { urgency: 'normal', sla_deadline: '2026-11-22T09:30:00.000Z' } as const;
    expect(ids(sortInbox([item('b', same), item('c', same), item('a', same)], 'alice', 'blocking'))).toEqual(['a', 'b', 'c']);
    expect(ids(sortInbox([item('b', same), item('c', same), item('a', same)], 'alice', 'post_review'))).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['human_review', 'blocking'],
    ['escalate', 'blocking'],
    ['post_review', 'post_review'],
  ] as const)('an approval of route %s is in the %s queue', (route, queue) => {
    expect(queueOf(route)).toBe(queue);
  });

  it.each([
    [
      'a new approval is added in its place',
      [item('a', { sla_deadline: '2026-11-22T09:30:00.000Z' })],
      change('new', item('n', { sla_deadline: '2026-11-22T09:20:00.000Z' })),
      ['n', 'a'],
      null,
    ],
    ['an assignment refreshes the line', [item('a', { assignee: null })], change('reassigned', item('a', { assignee: 'alice' })), ['a'], null],
    [
      'a resolution elsewhere removes it with a notice',
      [item('a'), item('b')],
      change('resolved', item('a'), 'approved', 'bruno'),
      ['b'],
      'Refund for a. was approved by bruno elsewhere; it left your inbox.',
    ],
    ['a resolution here removes it quietly', [item('h'), item('b')], change('resolved', item('h'), 'denied', 'alice'), ['b'], null],
    ['a resolution of something never shown changes nothing', [item('b')], change('resolved', item('q'), 'expired'), ['b'], null],
  ])('%s', (_case, items, ch, expected, notice) => {
    const result = applyChange(items, ch, 'alice', new Set(['h']));
    expect(ids(result.items)).toEqual(expected);
    expect(result.notice?.text ?? null).toBe(notice);
  });

  const post = (id: string, overrides: Partial<InboxItem> = {}) => item(id, { route: 'post_review', action: 'cancel_subscription', ...overrides });
  it.each([
    ['blocking', 'a new post-review stays out of the blocking queue', [item('a')], change('new', post('p')), ['a'], null],
    ['blocking', 'a new human review enters the blocking queue', [item('a')], change('new', item('n', { urgency: 'critical' })), ['n', 'a'], null],
    ['blocking', 'a new escalation enters the blocking queue', [], change('new', item('e', { route: 'escalate' })), ['e'], null],
    ['post_review', 'a new human review stays out of the post-review queue', [post('p')], change('new', item('n')), ['p'], null],
    [
      'post_review',
      'a new post-review enters the post-review queue by its window, urgency aside',
      [post('p', { sla_deadline: '2026-11-22T09:40:00.000Z' })],
      change('new', post('q', { urgency: 'low', sla_deadline: '2026-11-22T09:20:00.000Z' })),
      ['q', 'p'],
      null,
    ],
    ['post_review', 'a post-review confirmed here leaves quietly', [post('h'), post('p')], change('resolved', post('h'), 'reviewed', 'alice'), ['p'], null],
    [
      'post_review',
      'a post-review rolled back elsewhere leaves with a notice',
      [post('r'), post('p')],
      change('resolved', post('r'), 'rolled_back', 'bruno'),
      ['p'],
      'Refund for r. was rolled back by bruno elsewhere; it left your inbox.',
    ],
    [
      'post_review',
      'a post-review whose window closed leaves with a notice',
      [post('u')],
      change('resolved', post('u'), 'unreviewed'),
      [],
      'Refund for u. was unreviewed elsewhere; it left your inbox.',
    ],
  ] as const)('in the %s queue, %s', (queue, _case, items, ch, expected, notice) => {
    const result = applyChange(items, ch, 'alice', new Set(['h']), queue);
    expect(ids(result.items)).toEqual(expected);
    expect(result.notice?.text ?? null).toBe(notice);
  });

  it.each([
    ['rolled_back', 'rolled back'],
    ['reviewed', 'reviewed'],
    ['approved', 'approved'],
  ])('says the status %s as "%s"', (status, words) => {
    expect(statusWords(status)).toBe(words);
  });

  it.each([
    ['never read before: at once', null, 10_000, 0],
    ['read long ago: at once', 5_000, 10_000, 0],
    ['read exactly a gap ago: at once', 9_000, 10_000, 0],
    ['read 300 ms ago: when the gap ends', 9_700, 10_000, 700],
    ['read just now: a whole gap', 10_000, 10_000, 1_000],
  ])('reads the counts again %s', (_case, lastReadAt, now, delay) => {
    expect(countsReadDelay(lastReadAt, now, 1_000)).toBe(delay);
  });

  it('groups similar items by action and agent, and selects them all at once', () => {
    const items = [item('1'), item('2', { agent: { id: 'other-bot' } }), item('3', { action: 'issue_goodwill_credit' }), item('4')];
    expect(similarKey(items[0])).toBe(similarKey(items[3]));
    expect(similarKey(items[0])).not.toBe(similarKey(items[1]));
    const selected = selectSimilar(items, items[0], new Set(['3']));
    expect([...selected].sort()).toEqual(['1', '3', '4']);
    expect(ids(selectedItems(items, toggle(selected, '3')))).toEqual(['1', '4']);
    expect(ids(selectedItems(items.slice(1), selected))).toEqual(['3', '4']);
  });

  it.each([
    [0, 1, 3, 1],
    [2, 1, 3, 2],
    [0, -1, 3, 0],
    [5, -1, 3, 2],
    [0, 1, 0, 0],
  ])('moves the cursor from %d by %d in %d items to %d', (index, delta, length, to) => {
    expect(moveCursor(index, delta, length)).toBe(to);
  });
});
