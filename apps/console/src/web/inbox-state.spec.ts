import { ApprovalChange, InboxItem } from '@hitl/reviewer-api';
import { applyChange, moveCursor, selectSimilar, selectedItems, similarKey, sortInbox, toggle } from './inbox-state';

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
