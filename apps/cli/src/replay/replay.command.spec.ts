import { formatReplay, parseSince } from './replay.command';

describe('hitl replay', () => {
  it.each([
    ['30d', 30],
    ['7d', 7],
    [' 365d ', 365],
  ])('--since %s is %s days', (value, days) => {
    expect(parseSince(value)).toBe(days);
  });

  it.each(['30', '0d', '2w', '-1d', 'd'])('--since %s is refused', (value) => {
    expect(() => parseSince(value)).toThrow(/number of days/);
  });

  it('says what would change, per role, and the mistakes it would let through', () => {
    const lines = formatReplay({
      decisions: 40,
      changed: 7,
      changes: { 'auto_approve → human_review': 5, 'human_review → auto_approve': 2 },
      review_load: { support_agent: { before: 10, after: 13, change: 3 } },
      added_auto_approvals: 2,
      added_auto_approvals_labeled_wrong: 1,
      removed_auto_approvals: 5,
      since: '2026-10-23T09:00:00.000Z',
      candidate_version: 'sha256:' + 'a'.repeat(64),
      current_version: 'sha256:' + 'b'.repeat(64),
    });
    expect(lines).toEqual([
      'replayed 40 decisions since 2026-10-23 with the candidate sha256:aaaaaaaaaaaa… (in force: sha256:bbbbbbbbbbbb…)',
      'verdicts that would change: 7',
      '  auto_approve → human_review: 5',
      '  human_review → auto_approve: 2',
      'human review load per role (now → candidate):',
      '  support_agent: 10 → 13 (+3)',
      'auto-approvals added: 2, of which labeled wrong: 1',
      'auto-approvals removed: 5',
    ]);
  });
});
