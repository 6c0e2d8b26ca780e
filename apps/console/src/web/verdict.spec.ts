import { verdictText } from './verdict';

describe('what the console says after a decision', () => {
  it.each([
    ['approve', 'approved', 'Approved: Refund $120.'],
    ['edit', 'approved', 'Approved with your edit: Refund $120.'],
    ['approve', 'awaiting_approvals', 'Approved; waiting for another reviewer: Refund $120.'],
    ['edit', 'escalated', 'Your edit needs a higher tier: sent up to it: Refund $120.'],
    ['deny', 'denied', 'Denied: Refund $120.'],
    // A post-review: the action already ran; approving confirms it stands.
    ['approve', 'reviewed', 'Confirmed after the fact: it stands: Refund $120.'],
    ['rollback', 'rolled_back', 'Rolled back: Refund $120.'],
  ] as const)('%s answered %s reads "%s"', (act, status, text) => {
    expect(verdictText(act, status, 'Refund $120.')).toBe(text);
  });

  it.each([
    ['approve', { key: 'refund_part', label: 'Refund half', digit: 2 }, 'Approved: Refund $120. — chosen: 2. Refund half'],
    ['edit', { key: 'o10', label: 'Option 10', digit: null }, 'Approved with your edit: Refund $120. — chosen: Option 10'],
  ] as const)('%s with an option chosen names it', (act, option, text) => {
    expect(verdictText(act, 'approved', 'Refund $120.', option)).toBe(text);
  });
});
