import { PromotionEvidence, PromotionPolicy, judgePromotion, nextMode } from './promotion';

// A reversible action that has earned it: 600 outcomes at 99%, reviewers intervened in 0.5%,
// owned, a rollback window, one rollback completed by its compensation, monitored.
const earned: PromotionPolicy = {
  mode: 'approve_before',
  severity: 'high',
  reversible: true,
  rollback_window_seconds: 3600,
  owner: 'billing-team',
  rollback_tested: null,
  monitoring: { in_place: true },
};
const record: PromotionEvidence = {
  n: 600,
  accuracy: 0.99,
  wilson_lower: 0.978,
  target_accuracy: 0.95,
  intervention: { reviewed: 200, rate: 0.005 },
  completed_rollbacks: 1,
};

describe('promotion is earned (seed 004): every condition, or none', () => {
  it.each<[string, Partial<PromotionPolicy>, Partial<PromotionEvidence>, string | null, string[]]>([
    ['granted when all hold', {}, {}, 'review_after', []],
    [
      'an irreversible action: never for review_after or autonomy, whatever its numbers',
      { reversible: false, rollback_window_seconds: null },
      {},
      null,
      ['irreversible: never suggested for review_after or autonomy'],
    ],
    ['without an owner', { owner: null }, {}, 'review_after', ['no owner: nobody is accountable for its autonomy']],
    [
      'without a completed rollback or a rollback_tested record',
      {},
      { completed_rollbacks: 0 },
      'review_after',
      ['no rollback has been completed by its compensation, and no rollback_tested record: the undo has never been seen to work'],
    ],
    [
      'a reviewed rollback_tested record stands for a completed rollback',
      { rollback_tested: { on: '2026-11-20', by: 'alice', evidence: 'RUNBOOK-42' } },
      { completed_rollbacks: 0 },
      'review_after',
      [],
    ],
    [
      'reversible, but no rollback window to undo it in',
      { rollback_window_seconds: null },
      {},
      'review_after',
      ['no rollback_window_seconds: a person on the loop would have no time to undo it'],
    ],
    [
      'no monitoring',
      { monitoring: { in_place: false, missing: 'the owner billing-team has no alert route in OWNER_ALERTS_PATH' } },
      {},
      'review_after',
      ['no monitoring: the owner billing-team has no alert route in OWNER_ALERTS_PATH'],
    ],
    ['too few outcomes', {}, { n: 400 }, 'review_after', ['400 labeled outcomes, under 500']],
    [
      'the lower bound not above the target',
      {},
      { accuracy: 0.96, wilson_lower: 0.94 },
      'review_after',
      ['the 95% lower bound of accuracy, 0.94, is not above the target 0.95'],
    ],
    [
      'reviewers intervene too often',
      {},
      { intervention: { reviewed: 200, rate: 0.02 } },
      'review_after',
      ['reviewers intervened in 2.0% of 200, not under 1%'],
    ],
    ['nobody reviewed it', {}, { intervention: null }, 'review_after', ['no reviews to show how often reviewers intervene']],
    ['high severity on the loop stays on the loop', { mode: 'review_after' }, {}, null, ['review_after is as little oversight as a high-severity action gets']],
    ['a low-severity action on the loop may become autonomous', { mode: 'review_after', severity: 'low' }, {}, 'autonomous', []],
    [
      'several at once, each named',
      { owner: null, monitoring: { in_place: false, missing: 'drift checks are off (DRIFT_CHECK_SECONDS=0)' } },
      { completed_rollbacks: 0 },
      'review_after',
      [
        'no owner: nobody is accountable for its autonomy',
        'no rollback has been completed by its compensation, and no rollback_tested record: the undo has never been seen to work',
        'no monitoring: drift checks are off (DRIFT_CHECK_SECONDS=0)',
      ],
    ],
  ])('%s', (_name, policy, evidence, to, heldBack) => {
    const check = judgePromotion({ ...earned, ...policy }, { ...record, ...evidence });
    expect(check.to_mode).toBe(to);
    expect(check.held_back).toEqual(heldBack);
  });

  it('says what it was granted on', () => {
    expect(judgePromotion(earned, record).met).toEqual([
      '600 labeled outcomes',
      'accuracy 0.99 with a 95% lower bound of 0.98 above the target 0.95',
      'reviewers intervened in 0.5% of 200',
      'owned by billing-team',
      'a rollback window of 3600 s',
      "1 rollback completed by the agent's compensation",
      'drift is watched and the owner is alerted',
    ]);
  });

  it.each([
    ['approve_before', 'high', true, 'review_after'],
    ['approve_before', 'low', true, 'review_after'],
    ['review_after', 'medium', true, 'autonomous'],
    ['review_after', 'critical', true, null],
    ['autonomous', 'low', true, null],
    ['approve_before', 'high', false, null],
    ['log_and_alert', 'low', false, null],
  ])('next mode of %s, %s severity, reversible %s: %s', (mode, severity, reversible, to) => {
    expect(nextMode({ mode, severity, reversible })).toBe(to);
  });
});
