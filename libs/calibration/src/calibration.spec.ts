import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest } from '@hitl/policy';
import { reliabilitySvg, reportMarkdown } from './outputs';
import {
  ApprovalBandRow,
  BucketRow,
  InterventionCounts,
  LoweringPolicy,
  buildReport,
  bucketOf,
  expectedCalibrationError,
  suggestLowering,
  suggestThreshold,
  toBuckets,
  wilsonLowerBound,
} from './report';
import { PromotionPolicy } from './promotion';
import { suggestionsPatch } from './suggestions';

/** Aggregates raw (confidence, correct) samples the way the SQL does. */
function rows(action: string, samples: [number, boolean][]): BucketRow[] {
  const by = new Map<number, BucketRow>();
  for (const [c, ok] of samples) {
    const b = bucketOf(c);
    const row = by.get(b) ?? { action, agent_id: null, bucket: b, n: 0, sum_confidence: 0, correct: 0, sum_squared_error: 0 };
    row.n += 1;
    row.sum_confidence += c;
    row.correct += ok ? 1 : 0;
    row.sum_squared_error += (c - (ok ? 1 : 0)) ** 2;
    by.set(b, row);
  }
  return [...by.values()];
}

const repeat = (n: number, sample: [number, boolean]): [number, boolean][] => Array.from({ length: n }, () => sample);
/** A reversible action that meets every condition of promotion but the numbers: each test brings those. */
const promotion: PromotionPolicy = {
  mode: 'approve_before',
  severity: 'high',
  reversible: true,
  rollback_window_seconds: 3600,
  owner: 'billing-team',
  rollback_tested: { on: '2026-11-20', by: 'alice', evidence: 'RUNBOOK-42' },
  monitoring: { in_place: true },
};
const policy = { target_accuracy: 0.95, mode: 'approve_before', auto_approve_confidence: 0.97, promotion };

describe('the math, against hand-computed values', () => {
  it.each([
    [0, 0],
    [0.05, 0],
    [0.1, 1],
    [0.3, 3],
    [0.7, 7],
    [0.95, 9],
    [0.999, 9],
    [1, 9],
  ])('confidence %s is in bucket %s', (confidence, bucket) => {
    expect(bucketOf(confidence)).toBe(bucket);
  });

  it.each([
    [81, 100, 0.7222],
    [10, 10, 0.7225],
    [0, 10, 0],
    [0, 0, 0],
    [594, 600, 0.9784],
  ])('Wilson 95%% lower bound of %s/%s is %s', (successes, n, expected) => {
    expect(wilsonLowerBound(successes, n)).toBeCloseTo(expected, 4);
  });

  it('expected calibration error weighs each bucket by its share', () => {
    // 10 at stated 0.95, actual 0.6; 30 at stated 0.55, actual 0.5: 10/40·0.35 + 30/40·0.05 = 0.125
    const buckets = toBuckets([
      { action: 'a', agent_id: null, bucket: 9, n: 10, sum_confidence: 9.5, correct: 6, sum_squared_error: 0 },
      { action: 'a', agent_id: null, bucket: 5, n: 30, sum_confidence: 16.5, correct: 15, sum_squared_error: 0 },
    ]);
    expect(expectedCalibrationError(buckets)).toBeCloseTo(0.125, 6);
  });

  it('Brier score is the mean squared error of confidence against the outcome', () => {
    // (0.9-1)² + (0.9-0)² + (0.6-1)² + (0.2-0)² = 0.01 + 0.81 + 0.16 + 0.04 = 1.02; / 4 = 0.255
    const report = buildReport({
      action: 'a',
      agent_id: null,
      buckets: rows('a', [
        [0.9, true],
        [0.9, false],
        [0.6, true],
        [0.2, false],
      ]),
      interventions: null,
      policy: null,
      previous_accuracy: null,
    });
    expect(report.brier).toBeCloseTo(0.255, 6);
    expect(report.accuracy).toBe(0.5);
  });
});

describe('the report', () => {
  const overconfident = [...repeat(15, [0.95, true]), ...repeat(10, [0.95, false]), ...repeat(5, [0.55, true])];

  it('finds an agent that overstates its confidence, in plain words', () => {
    const report = buildReport({
      action: 'process_refund',
      agent_id: null,
      buckets: rows('process_refund', overconfident),
      interventions: null,
      policy,
      previous_accuracy: null,
    });
    expect(report.findings.map((f) => f.text)).toEqual(['overstates confidence at 0.9: actual 0.60 (stated 0.95, n=25)']);
    expect(report.buckets.find((b) => b.bucket === 5)).toMatchObject({ n: 5, judged: false });
  });

  it.each([
    ['under 10 samples: shown, not judged, no finding', repeat(9, [0.95, false]), false, 0],
    ['10 to 19 samples: judged, still no finding', repeat(15, [0.95, false]), true, 0],
    ['20 samples: a finding', repeat(20, [0.95, false]), true, 1],
  ] as const)('%s', (_name, samples, judged, findings) => {
    const report = buildReport({ action: 'a', agent_id: null, buckets: rows('a', [...samples]), interventions: null, policy: null, previous_accuracy: null });
    expect(report.buckets[0].judged).toBe(judged);
    expect(report.findings).toHaveLength(findings);
  });

  it.each([
    [
      '500+ outcomes, lower bound above target, interventions under 1%',
      600,
      594,
      { approved_unchanged: 199, edited: 1, denied: 0, confirmed: 0, rolled_back: 0 },
      'review_after',
    ],
    ['too few outcomes', 400, 396, { approved_unchanged: 199, edited: 1, denied: 0, confirmed: 0, rolled_back: 0 }, null],
    ['reviewers intervene too often', 600, 594, { approved_unchanged: 190, edited: 6, denied: 4, confirmed: 0, rolled_back: 0 }, null],
    ['no human reviews to judge by', 600, 594, null, null],
    ['accuracy not high enough', 600, 560, { approved_unchanged: 200, edited: 0, denied: 0, confirmed: 0, rolled_back: 0 }, null],
  ])('promotion: %s', (_name, n, correct, interventions, to) => {
    const samples: [number, boolean][] = [...repeat(correct, [0.99, true]), ...repeat(n - correct, [0.99, false])];
    const report = buildReport({ action: 'a', agent_id: null, buckets: rows('a', samples), interventions, policy, previous_accuracy: null });
    expect(report.promotion?.to_mode ?? null).toBe(to);
  });

  it('raises a demotion alert when accuracy drops', () => {
    const samples: [number, boolean][] = [...repeat(85, [0.9, true]), ...repeat(15, [0.9, false])];
    const report = buildReport({ action: 'a', agent_id: null, buckets: rows('a', samples), interventions: null, policy, previous_accuracy: 0.97 });
    expect(report.demotion?.reason).toBe('accuracy fell from 0.97 to 0.85 (target 0.95, n=100)');
  });

  it.each([
    [
      'the top bucket is wrong: no auto-approval on confidence alone (never, not 1: 1 still passes confidence 1)',
      [...repeat(20, [0.95, false])],
      0.97,
      'never',
    ],
    ['already never: nothing to raise', [...repeat(20, [0.95, false])], 'never', null],
    ['a lower bucket is wrong, the top one fine: raise to the top bucket', [...repeat(20, [0.85, false]), ...repeat(20, [0.95, true])], 0.85, 0.9],
    ['everything above the threshold is right: no change', [...repeat(20, [0.85, false]), ...repeat(20, [0.95, true])], 0.95, null],
    ['a failing bucket that is not judged counts for nothing', [...repeat(5, [0.95, false])], 0.95, null],
  ])('threshold: %s', (_name, samples, current, expected) => {
    expect(suggestThreshold(toBuckets(rows('a', samples as [number, boolean][])), current as number | 'never', 0.95)).toBe(expected);
  });
});

describe('closing the loops: post-reviews in the intervention rate, thresholds lowered where reviewers approve unchanged', () => {
  const reviewed = (over: Partial<InterventionCounts>): InterventionCounts => ({
    approved_unchanged: 0,
    edited: 0,
    denied: 0,
    confirmed: 0,
    rolled_back: 0,
    ...over,
  });

  it.each([
    ['before the action ran only', reviewed({ approved_unchanged: 90, edited: 6, denied: 4 }), 0.1],
    ['a rollback is an intervention, a confirmation is not', reviewed({ approved_unchanged: 90, confirmed: 8, rolled_back: 2 }), 0.02],
    ['post-reviews only', reviewed({ confirmed: 3, rolled_back: 1 }), 0.25],
    ['nothing reviewed: no rate', reviewed({}), null],
  ])('intervention rate: %s', (_name, interventions, rate) => {
    const report = buildReport({ action: 'a', agent_id: null, buckets: rows('a', repeat(10, [0.99, true])), interventions, policy, previous_accuracy: null });
    expect(report.intervention?.rate ?? null).toBe(rate);
  });

  it('rollbacks count against a promotion: 1% of reviews undone after the fact is too many', () => {
    const samples: [number, boolean][] = [...repeat(594, [0.99, true]), ...repeat(6, [0.99, false])];
    const build = (interventions: InterventionCounts) =>
      buildReport({ action: 'a', agent_id: null, buckets: rows('a', samples), interventions, policy, previous_accuracy: null });
    expect(build(reviewed({ approved_unchanged: 150, confirmed: 50 })).promotion?.to_mode).toBe('review_after');
    expect(build(reviewed({ approved_unchanged: 150, confirmed: 48, rolled_back: 2 })).promotion).toBeNull();
  });

  const lowering: LoweringPolicy = { escalate_confidence: 0.6, severity: 'medium', reversible: true, approved_unchanged_target: 0.99, min_reviews: 400 };
  const band = (bucket: number, reviewedN: number, unchanged: number): ApprovalBandRow => ({
    action: 'a',
    bucket,
    reviewed: reviewedN,
    approved_unchanged: unchanged,
  });

  it.each<[string, ApprovalBandRow[], number | 'never', Partial<LoweringPolicy> & { mode?: string }, number | null]>([
    ['99.5% over 400 in the band below: lowered to its lower edge', [band(8, 400, 398)], 0.9, {}, 0.8],
    ['the threshold inside a band: that band is the one below it', [band(9, 400, 398)], 0.95, {}, 0.9],
    ['two bands in a row hold: the lowest edge', [band(7, 500, 499), band(8, 400, 398)], 0.9, {}, 0.7],
    ['a band that holds under one that does not: nothing (lowering would auto-approve the one between)', [band(7, 500, 499), band(8, 400, 380)], 0.9, {}, null],
    ['98.75% is short of 99%', [band(8, 400, 395)], 0.9, {}, null],
    ['399 reviews are not enough', [band(8, 399, 399)], 0.9, {}, null],
    ['a smaller sample size, configured', [band(8, 200, 199)], 0.9, { min_reviews: 200 }, 0.8],
    ['never below escalate_confidence', [band(5, 500, 500), band(6, 500, 500), band(7, 500, 500)], 0.8, {}, 0.6],
    ['an escalate_confidence inside a band: that band is not lowered into', [band(6, 500, 500), band(7, 500, 500)], 0.8, { escalate_confidence: 0.65 }, 0.7],
    ['only approve_before actions: a review_after one is not reviewed before it runs', [band(8, 400, 400)], 0.9, { mode: 'review_after' }, null],
    ['a threshold of never stays never', [band(8, 400, 400)], 'never', {}, null],
    ['irreversible and high: the rate itself is not enough (95% lower bound 0.982)', [band(8, 400, 398)], 0.9, { severity: 'high', reversible: false }, null],
    ['irreversible and critical: 400 of 400 holds (95% lower bound 0.9905)', [band(8, 400, 400)], 0.9, { severity: 'critical', reversible: false }, 0.8],
    ['reversible and high: the rate is enough', [band(8, 400, 398)], 0.9, { severity: 'high', reversible: true }, 0.8],
    ['irreversible and medium: the rate is enough', [band(8, 400, 398)], 0.9, { severity: 'medium', reversible: false }, 0.8],
  ])('lowering: %s', (_name, bands, current, over, expected) => {
    const { mode = 'approve_before', ...rest } = over;
    expect(suggestLowering(bands, [], current, 0.95, mode, { ...lowering, ...rest })?.to ?? null).toBe(expected);
  });

  it('never lowers into a band whose labeled outcomes fall short of the accuracy target', () => {
    const buckets = toBuckets(rows('a', [...repeat(12, [0.75, true]), ...repeat(8, [0.75, false]), ...repeat(20, [0.85, true])]));
    expect(suggestLowering([band(7, 500, 500), band(8, 500, 500)], buckets, 0.9, 0.95, 'approve_before', lowering)?.to).toBe(0.8);
  });

  it('the evidence: every band, how many of how many, and the bar it cleared', () => {
    const result = suggestLowering([band(7, 500, 499), band(8, 400, 398)], [], 0.9, 0.95, 'approve_before', lowering);
    expect(result).toEqual({
      from: 0.9,
      to: 0.7,
      reason: 'reviewers approved unchanged 0.7-0.8: 499 of 500 (99.8%); 0.8-0.9: 398 of 400 (99.5%), each at least 99%, over 400+ reviews each',
    });
    const strict = suggestLowering([band(8, 400, 400)], [], 0.9, 0.95, 'approve_before', { ...lowering, severity: 'high', reversible: false });
    expect(strict?.reason).toBe(
      'reviewers approved unchanged 0.8-0.9: 400 of 400 (100%), the 95% lower bound of each rate at least 99% (irreversible, high severity), over 400+ reviews each',
    );
  });

  it.each([
    ['labels fine, bands hold: lowered', repeat(30, [0.95, true]), 0.9, 0.9],
    ['labels short of the target above the threshold: raised, and not lowered', repeat(30, [0.95, false]), 'never', null],
  ])('buildReport: %s', (_name, samples, suggested, loweredTo) => {
    const report = buildReport({
      action: 'a',
      agent_id: null,
      buckets: rows('a', samples),
      interventions: null,
      policy: { target_accuracy: 0.95, mode: 'approve_before', auto_approve_confidence: 0.95, lowering },
      previous_accuracy: null,
      approval_bands: [band(9, 400, 398)],
    });
    expect(report.suggested_auto_approve_confidence).toBe(suggested);
    expect(report.lowering?.to ?? null).toBe(loweredTo);
  });

  it('without a lowering policy or bands, a threshold is only ever raised', () => {
    const base = { action: 'a', agent_id: null, buckets: rows('a', repeat(30, [0.99, true])), interventions: null, previous_accuracy: null };
    expect(buildReport({ ...base, policy, approval_bands: [band(9, 400, 400)] }).lowering).toBeNull();
    expect(buildReport({ ...base, policy: { ...policy, lowering } }).lowering).toBeNull();
  });
});

describe('suggestions as a unified diff of the manifest', () => {
  const manifestPath = 'manifests/refunds.yaml';
  const yaml = readFileSync(join(__dirname, '../../../manifests/refunds.yaml'), 'utf8');
  const report = (action: string, samples: [number, boolean][], interventions: InterventionCounts | null = null) =>
    buildReport({ action, agent_id: null, buckets: rows(action, samples), interventions, policy, previous_accuracy: null });

  function apply(patch: string, base = yaml): string {
    const dir = mkdtempSync(join(tmpdir(), 'hitl-patch-'));
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(join(dir, manifestPath), base);
    writeFileSync(join(dir, 'suggestions.patch'), patch);
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['apply', '--check', 'suggestions.patch'], { cwd: dir });
    execFileSync('patch', ['-p1', '--dry-run', '-i', 'suggestions.patch'], { cwd: dir, stdio: 'pipe' });
    execFileSync('git', ['apply', 'suggestions.patch'], { cwd: dir });
    return readFileSync(join(dir, manifestPath), 'utf8');
  }

  it('changes an existing threshold in place, with the evidence beside it, and applies cleanly', () => {
    const { patch, changes } = suggestionsPatch(
      manifestPath,
      yaml,
      [report('process_refund', [...repeat(15, [0.97, true]), ...repeat(10, [0.97, false])])],
      '2026-W47',
    );
    expect(changes).toEqual([expect.objectContaining({ action: 'process_refund', field: 'thresholds.auto_approve_confidence', from: 0.97, to: 'never' })]);
    expect(patch).toMatch(/^--- a\/manifests\/refunds.yaml/);
    expect(patch).toContain('-    thresholds: { auto_approve_confidence: 0.97, escalate_confidence: 0.60 }');
    expect(patch).toContain(
      '+    thresholds: { auto_approve_confidence: never, escalate_confidence: 0.60 }  # calibration 2026-W47: overstates confidence at 0.9: actual 0.60',
    );
    expect(patch.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toHaveLength(2); // one line out, one line in
    const patched = apply(patch);
    expect(loadManifest(patched).actions.get('process_refund')!.autoApproveConfidence).toBe('never');
  });

  it('adds a threshold to an action that has none, and proposes a promotion, both applying cleanly', () => {
    // cancel_subscription as a team would have it before promotion: approved before it runs.
    const before = yaml.replace('  cancel_subscription:\n    severity: high\n', '  cancel_subscription:\n    severity: high\n    approval_required: true\n');
    const promoted = report('cancel_subscription', [...repeat(594, [0.99, true]), ...repeat(6, [0.99, false])], {
      approved_unchanged: 299,
      edited: 1,
      denied: 0,
      confirmed: 0,
      rolled_back: 0,
    });
    const threshold = report('issue_goodwill_credit', repeat(25, [0.96, false]));
    const { patch, changes } = suggestionsPatch(manifestPath, before, [promoted, threshold], '2026-W47');
    expect(changes.map((c) => `${c.action}.${c.field}`)).toEqual(['cancel_subscription.mode', 'issue_goodwill_credit.thresholds.auto_approve_confidence']);
    const manifest = loadManifest(apply(patch, before));
    expect(manifest.actions.get('cancel_subscription')!.mode).toBe('review_after');
    expect(manifest.actions.get('issue_goodwill_credit')!.autoApproveConfidence).toBe('never');
    expect(patch).toContain('promotion candidate: 600 labeled outcomes');
    expect(patch).toContain('rollback tested on 2026-11-20 by alice (RUNBOOK-42)');
  });

  it('never proposes an irreversible action for review_after, whatever its numbers', () => {
    const irreversible = buildReport({
      action: 'send_customer_email',
      agent_id: null,
      buckets: rows('send_customer_email', [...repeat(594, [0.99, true]), ...repeat(6, [0.99, false])]),
      interventions: { approved_unchanged: 299, edited: 1, denied: 0, confirmed: 0, rolled_back: 0 },
      policy: { ...policy, promotion: { ...promotion, reversible: false, rollback_window_seconds: null, rollback_tested: null } },
      previous_accuracy: null,
    });
    expect(irreversible.promotion).toBeNull();
    expect(irreversible.promotion_check?.held_back).toEqual(['irreversible: never suggested for review_after or autonomy']);
    expect(suggestionsPatch(manifestPath, yaml, [irreversible], '2026-W47').changes).toEqual([]);
  });

  it('widens an amount limit and adds an escalate_when rule from reviewers’ edits, in one diff that applies cleanly', () => {
    // issue_goodwill_credit: conditions { auto_approve_below_usd: 20 } in flow style, escalate_when a block list with a comment.
    const vip = (edited: boolean, i: number) => ({
      proposed: { customer_id: `C-${i}`, amount_usd: 30, customer_tier: 'vip' },
      approved: { customer_id: `C-${i}`, amount_usd: edited ? 15 : 30, customer_tier: 'vip' },
      edited,
    });
    const standard = (edited: boolean, i: number) => ({
      proposed: { customer_id: `C-${100 + i}`, amount_usd: 30, customer_tier: 'standard' },
      approved: { customer_id: `C-${100 + i}`, amount_usd: edited ? 15 : 30, customer_tier: 'standard' },
      edited,
    });
    const credit = buildReport({
      action: 'issue_goodwill_credit',
      agent_id: null,
      buckets: [],
      interventions: null,
      policy: {
        target_accuracy: 0.95,
        mode: 'approve_before',
        auto_approve_confidence: 0.95,
        lowering: { escalate_confidence: 0.6, severity: 'medium', reversible: true, approved_unchanged_target: 0.99, min_reviews: 400 },
        edits: { redact: [], escalate_when: [{ field: 'parameters.amount_usd', gt: 200 }] },
        amounts: { auto_approve_below_usd: 20, always_approve_above_usd: null },
      },
      previous_accuracy: null,
      amount_bands: [
        { action: 'issue_goodwill_credit', band: 0, reviewed: 400, approved_unchanged: 398 },
        { action: 'issue_goodwill_credit', band: 1, reviewed: 400, approved_unchanged: 380 },
      ],
      edit_reviews: [...Array.from({ length: 40 }, (_, i) => vip(i < 30, i)), ...Array.from({ length: 160 }, (_, i) => standard(i < 4, i))],
    });
    expect(credit.widening).toMatchObject({ from: 20, to: 25 });
    expect(credit.edits?.fields.map((f) => f.text)).toEqual(['amount_usd lowered in 17% of reviews (34 of 200), median −50%']);
    expect(credit.edits?.suggested_rules.map((r) => r.rule)).toEqual([{ field: 'parameters.customer_tier', equals: 'vip' }]);

    const { patch, changes } = suggestionsPatch(manifestPath, yaml, [credit], '2026-W49');
    expect(changes.map((c) => c.field)).toEqual(['conditions.auto_approve_below_usd', 'escalate_when']);
    expect(patch).toContain(
      '+    conditions: { auto_approve_below_usd: 25 }  # calibration 2026-W49: widened: reviewers approved unchanged $20-$25: 398 of 400',
    );
    expect(patch).toContain("+      - { field: parameters.customer_tier, equals: vip }  # calibration 2026-W49: reviewers' edits: reviewers edited 30 of 40");
    const credits = loadManifest(apply(patch)).actions.get('issue_goodwill_credit')!;
    expect(credits.autoApproveBelowUsd).toBe(25);
    expect(credits.escalateWhen).toEqual([
      { field: 'parameters.amount_usd', gt: 200 },
      { field: 'parameters.customer_tier', equals: 'vip' },
    ]);
    expect(reportMarkdown([credit], { window_days: 30, generated_at: '2026-12-04T00:00:00Z', patch, unknown_outcomes: 0 })).toContain(
      '- amount_usd lowered in 17% of reviews (34 of 200), median −50%',
    );
  });

  it('one diff both ways: a threshold lowered with the reviewers’ evidence, another raised with its finding', () => {
    const lowered = buildReport({
      action: 'issue_goodwill_credit',
      agent_id: null,
      buckets: [],
      interventions: null,
      policy: {
        target_accuracy: 0.95,
        mode: 'approve_before',
        auto_approve_confidence: 0.95,
        lowering: { escalate_confidence: 0.6, severity: 'medium', reversible: false, approved_unchanged_target: 0.99, min_reviews: 400 },
      },
      previous_accuracy: null,
      approval_bands: [{ action: 'issue_goodwill_credit', bucket: 9, reviewed: 400, approved_unchanged: 398 }],
    });
    const raised = report('process_refund', [...repeat(15, [0.97, true]), ...repeat(10, [0.97, false])]);
    const { patch, changes } = suggestionsPatch(manifestPath, yaml, [lowered, raised], '2026-W47');
    expect(changes.map((c) => [c.action, c.field, c.from, c.to])).toEqual([
      ['issue_goodwill_credit', 'thresholds.auto_approve_confidence', 0.95, 0.9],
      ['process_refund', 'thresholds.auto_approve_confidence', 0.97, 'never'],
    ]);
    expect(patch).toContain(
      '+    thresholds: { auto_approve_confidence: 0.9 }  # calibration 2026-W47: lowered: reviewers approved unchanged 0.9-1.0: 398 of 400 (99.5%), each at least 99%, over 400+ reviews each',
    );
    expect(patch.match(/^--- /gm)).toHaveLength(1);
    const manifest = loadManifest(apply(patch));
    expect(manifest.actions.get('issue_goodwill_credit')!.autoApproveConfidence).toBe(0.9);
    expect(manifest.actions.get('process_refund')!.autoApproveConfidence).toBe('never');
  });

  it('writes nothing when nothing should change', () => {
    expect(suggestionsPatch(manifestPath, yaml, [report('process_refund', repeat(30, [0.99, true]))], 'x')).toEqual({ patch: '', changes: [] });
  });
});

describe('outputs', () => {
  const report = buildReport({
    action: 'process_refund',
    agent_id: null,
    buckets: rows('process_refund', [...repeat(15, [0.95, true]), ...repeat(10, [0.95, false]), ...repeat(5, [0.55, true])]),
    interventions: null,
    policy,
    previous_accuracy: null,
  });

  it('draws the reliability diagram as a self-contained SVG, one point per bucket', () => {
    const svg = reliabilitySvg(report);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain('stated 0.95, actual 0.6, n=25');
  });

  it('writes the Markdown with the table, the findings and the suggested diff', () => {
    const md = reportMarkdown([report], { window_days: 30, generated_at: '2026-11-22T06:00:00Z', patch: '--- a/x\n+++ b/x\n', unknown_outcomes: 3 });
    expect(md).toContain('| 0.9–1.0 | 0.95 | 0.60 | 25 | 0.35 | yes |');
    expect(md).toContain('**Finding:** overstates confidence at 0.9: actual 0.60');
    expect(md).toContain('3 labeled outcomes are for decisions this service has not seen');
    expect(md).toContain('```diff');
  });
});
