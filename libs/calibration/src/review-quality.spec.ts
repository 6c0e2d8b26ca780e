import {
  CanaryItem,
  REVIEW_QUALITY_POLICY,
  ReviewedItem,
  agrees,
  median,
  reviewQuality,
  reviewQualityMarkdown,
  reviewQualityRow,
  secondsToRead,
} from './review-quality';

const T0 = Date.parse('2026-12-04T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

/** `n` decisions by `reviewer`, each opened `openedMsBefore` ms before deciding (null: never opened). */
function decisions(
  reviewer: string,
  n: number,
  over: {
    verdict?: (i: number) => ReviewedItem['verdict'];
    openedMsBefore?: number | null;
    correct?: (i: number) => boolean | null;
    read_chars?: number;
    action?: string;
  } = {},
): ReviewedItem[] {
  return Array.from({ length: n }, (_, i) => ({
    reviewer_id: reviewer,
    action: over.action ?? 'process_refund',
    verdict: over.verdict?.(i) ?? 'approved',
    opened_at: over.openedMsBefore === null ? null : at(i * 60_000 - (over.openedMsBefore ?? 20_000)),
    decided_at: at(i * 60_000),
    correct: over.correct?.(i) ?? null,
    read_chars: over.read_chars ?? 250,
  }));
}

describe('review quality', () => {
  it.each<[string, number[], number | null]>([
    ['none', [], null],
    ['odd', [3, 1, 2], 2],
    ['even: between the middle two', [4, 1, 3, 2], 2.5],
  ])('median of %s', (_, values, expected) => expect(median(values)).toBe(expected));

  it.each<[number, number]>([
    [0, 3],
    [250, 13],
    [-5, 3],
  ])('reading %i characters takes %f s (3 s floor, 25 characters a second)', (chars, s) => expect(secondsToRead(chars)).toBe(s));

  it.each<[ReviewedItem['verdict'], boolean | null, boolean | null]>([
    ['approved', true, true],
    ['approved', false, false],
    ['edited', true, true],
    ['edited', false, false],
    ['denied', false, true],
    ['denied', true, false],
    ['approved', null, null],
    ['denied', null, null],
  ])('a %s decision labeled correct=%s agrees: %s', (verdict, correct, expected) => expect(agrees(verdict, correct)).toBe(expected));

  it.each<[string, ReviewedItem[], boolean, RegExp]>([
    [
      'approves everything 0.2 s after opening: flagged',
      decisions('rev-hugo', 25, { openedMsBefore: 200 }),
      true,
      /^approved 100% unchanged \(25 of 25\), deciding a median 0\.2 s after opening, faster than the 13 s a person needs to read these items$/,
    ],
    [
      'approves everything without opening most: flagged',
      [...decisions('rev-hugo', 15, { openedMsBefore: null }), ...decisions('rev-hugo', 10, { openedMsBefore: 30_000 })],
      true,
      /15 of them decided without opening the item$/,
    ],
    ['approves everything, reading each for 20 s: not flagged', decisions('rev-alice', 25), false, /time enough to read \(13 s\)$/],
    [
      'fast but denies and edits: not flagged',
      decisions('rev-chen', 25, { openedMsBefore: 200, verdict: (i) => (i % 5 === 0 ? 'denied' : i % 7 === 0 ? 'edited' : 'approved') }),
      false,
      /under 97%$/,
    ],
    ['fast, everything approved, but only 19 decisions: not yet', decisions('rev-hugo', 19, { openedMsBefore: 200 }), false, /19 decisions, under the 20/],
    [
      'a long item read for 20 s is still too fast (reading it takes 43 s)',
      decisions('rev-bruno', 20, { read_chars: 1000 }),
      true,
      /faster than the 43 s a person needs/,
    ],
  ])('%s', (_, items, flagged, reason) => {
    const row = reviewQualityRow(items[0].reviewer_id, null, items, []);
    expect(row.rubber_stamp).toBe(flagged);
    expect(row.reason).toMatch(reason);
  });

  it('counts approvals, edits, denials, the time to decide, unopened items and agreement with labels', () => {
    const items = [
      ...decisions('rev-alice', 6, {
        verdict: (i) => (['approved', 'approved', 'edited', 'denied', 'denied', 'approved'] as const)[i],
        correct: (i) => [true, false, true, false, true, null][i],
      }),
      ...decisions('rev-alice', 2, { openedMsBefore: null }),
    ];
    expect(reviewQualityRow('rev-alice', null, items, [])).toMatchObject({
      decided: 8,
      approved: 5,
      edited: 1,
      denied: 2,
      approval_rate: 0.75,
      edit_rate: 0.125,
      median_seconds_to_decide: 20,
      median_seconds_to_read: 13,
      decided_without_opening: 2,
      // approved+correct, edited+correct, denied+incorrect agree; approved+incorrect, denied+correct disagree
      agreement: { labeled: 5, agreed: 3, rate: 0.6 },
    });
  });

  it('an opening after the decision is no opening', () => {
    const [item] = decisions('rev-alice', 1);
    const row = reviewQualityRow('rev-alice', null, [{ ...item, opened_at: at(5_000) }], []);
    expect(row).toMatchObject({ decided_without_opening: 1, median_seconds_to_decide: null });
  });

  it.each<[string, CanaryItem[], object]>([
    ['none', [], { answered: 0, correct: 0, missed: 0, score: null }],
    [
      'correct, wrong and missed',
      [
        { reviewer_id: 'rev-hugo', action: 'process_refund', correct: true },
        { reviewer_id: 'rev-hugo', action: 'process_refund', correct: false },
        { reviewer_id: 'rev-hugo', action: 'process_refund', correct: false },
        { reviewer_id: 'rev-hugo', action: 'process_refund', correct: null },
      ],
      { answered: 3, correct: 1, missed: 1, score: 0.333 },
    ],
    ['only missed', [{ reviewer_id: 'rev-hugo', action: 'process_refund', correct: null }], { answered: 0, correct: 0, missed: 1, score: null }],
  ])('canary score: %s', (_, canaries, expected) => {
    expect(reviewQualityRow('rev-hugo', null, [], canaries).canaries).toEqual(expected);
  });

  it('the section: reviewers in name order, each per action, the flagged named; canaries of a reviewer with no decision still shown', () => {
    const section = reviewQuality(
      [...decisions('rev-hugo', 25, { openedMsBefore: 200 }), ...decisions('rev-alice', 20), ...decisions('rev-alice', 3, { action: 'cancel_order' })],
      [
        { reviewer_id: 'rev-hugo', action: 'process_refund', correct: false },
        { reviewer_id: 'rev-zoe', action: 'process_refund', correct: null },
      ],
    );
    expect(section.reviewers.map((r) => [r.reviewer_id, r.decided, r.rubber_stamp])).toEqual([
      ['rev-alice', 23, false],
      ['rev-hugo', 25, true],
      ['rev-zoe', 0, false],
    ]);
    expect(section.by_action.map((r) => [r.reviewer_id, r.action, r.decided])).toEqual([
      ['rev-alice', 'cancel_order', 3],
      ['rev-alice', 'process_refund', 20],
      ['rev-hugo', 'process_refund', 25],
      ['rev-zoe', 'process_refund', 0],
    ]);
    expect(section.flagged).toEqual(['rev-hugo']);
    expect(section.policy).toEqual(REVIEW_QUALITY_POLICY);
    const markdown = reviewQualityMarkdown(section).join('\n');
    expect(markdown).toContain('## Review quality');
    expect(markdown).toContain('| rev-hugo | 25 | 100% | 0% | 0.2 s | 0 | – | 0/1 | **rubber stamp** |');
    expect(markdown).toContain('- **Rubber stamp:** rev-hugo: approved 100% unchanged (25 of 25), deciding a median 0.2 s after opening');
    expect(markdown).toContain('| rev-zoe | 0 | – | – | – | 0 | – | – (1 missed) |  |');
  });

  it('no reviewer, no Markdown', () => expect(reviewQualityMarkdown(reviewQuality([]))).toEqual([]));

  it('a stricter policy is honoured', () => {
    const items = decisions('rev-alice', 10, { openedMsBefore: 200 });
    expect(reviewQualityRow('rev-alice', null, items, [], { ...REVIEW_QUALITY_POLICY, min_decisions: 10 }).rubber_stamp).toBe(true);
    expect(reviewQualityRow('rev-alice', null, items, []).rubber_stamp).toBe(false);
  });
});
