import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest } from '@hitl/policy';
import { reliabilitySvg, reportMarkdown } from './outputs';
import { BucketRow, buildReport, bucketOf, expectedCalibrationError, suggestThreshold, toBuckets, wilsonLowerBound } from './report';
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
const policy = { target_accuracy: 0.95, mode: 'approve_before', auto_approve_confidence: 0.97 };

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
    ['500+ outcomes, lower bound above target, interventions under 1%', 600, 594, { approved_unchanged: 199, edited: 1, denied: 0 }, 'review_after'],
    ['too few outcomes', 400, 396, { approved_unchanged: 199, edited: 1, denied: 0 }, null],
    ['reviewers intervene too often', 600, 594, { approved_unchanged: 190, edited: 6, denied: 4 }, null],
    ['no human reviews to judge by', 600, 594, null, null],
    ['accuracy not high enough', 600, 560, { approved_unchanged: 200, edited: 0, denied: 0 }, null],
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

describe('suggestions as a unified diff of the manifest', () => {
  const manifestPath = 'manifests/refunds.yaml';
  const yaml = readFileSync(join(__dirname, '../../../manifests/refunds.yaml'), 'utf8');
  const report = (action: string, samples: [number, boolean][], interventions: { approved_unchanged: number; edited: number; denied: number } | null = null) =>
    buildReport({ action, agent_id: null, buckets: rows(action, samples), interventions, policy, previous_accuracy: null });

  function apply(patch: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'hitl-patch-'));
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(join(dir, manifestPath), yaml);
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
    const promotion = report('send_customer_email', [...repeat(594, [0.99, true]), ...repeat(6, [0.99, false])], {
      approved_unchanged: 299,
      edited: 1,
      denied: 0,
    });
    const threshold = report('issue_goodwill_credit', repeat(25, [0.96, false]));
    const { patch, changes } = suggestionsPatch(manifestPath, yaml, [promotion, threshold], '2026-W47');
    expect(changes.map((c) => `${c.action}.${c.field}`)).toEqual(['send_customer_email.mode', 'issue_goodwill_credit.thresholds.auto_approve_confidence']);
    const manifest = loadManifest(apply(patch));
    expect(manifest.actions.get('send_customer_email')!.mode).toBe('review_after');
    expect(manifest.actions.get('issue_goodwill_credit')!.autoApproveConfidence).toBe('never');
    expect(patch).toContain('promotion candidate: 600 labeled outcomes');
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
