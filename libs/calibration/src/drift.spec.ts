import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest } from '@hitl/policy';
import { DriftPolicy, DriftWatch, RecentRecord, checkDrift, demotionOf, driftAlertText, wilsonUpperBound } from './drift';
import { demotionPatch } from './suggestions';

const manifestPath = 'manifests/refunds.yaml';
const yaml = readFileSync(join(__dirname, '../../../manifests/refunds.yaml'), 'utf8');

/** cancel_subscription in refunds.yaml: high severity, reversible, review_after by the 2x2, owned by billing-team. */
const onTheLoop: DriftPolicy = {
  mode: 'review_after',
  severity: 'high',
  reversible: true,
  auto_approve_confidence: 0.95,
  owner: 'billing-team',
  target_accuracy: 0.95,
  approval_drop: 0.1,
};
const record = (over: Partial<RecentRecord> = {}): RecentRecord => ({
  workspace: 'acme-support',
  action: 'cancel_subscription',
  labeled: 100,
  correct: 99,
  reviewed: 0,
  approved_unchanged: 0,
  baseline_reviewed: 0,
  baseline_approved_unchanged: 0,
  ...over,
});
const policyOf = (policy: DriftPolicy | null) => () => policy;
const T0 = new Date('2026-12-04T10:00:00Z');
const T1 = new Date('2026-12-04T10:01:00Z');

function applied(patch: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hitl-drift-'));
  mkdirSync(join(dir, 'manifests'));
  writeFileSync(join(dir, manifestPath), yaml);
  writeFileSync(join(dir, 'demotion.patch'), patch);
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['apply', 'demotion.patch'], { cwd: dir });
  return readFileSync(join(dir, manifestPath), 'utf8');
}

describe('drift: a sliding window checked continuously', () => {
  it('flips an action’s recent accuracy and sees the alert and the demotion diff within one check', () => {
    const first = checkDrift([], [record({ correct: 99 })], policyOf(onTheLoop), T0, 100);
    expect(first.alerts).toEqual([]);
    expect(first.watches).toEqual([{ workspace: 'acme-support', action: 'cancel_subscription', drifting: false, since: null }]);

    // The latest 100 outcomes are now 62% right: the very next check alerts the owner.
    const second = checkDrift(first.watches, [record({ correct: 62 })], policyOf(onTheLoop), T1, 100);
    expect(second.alerts).toEqual([
      {
        workspace: 'acme-support',
        action: 'cancel_subscription',
        owner: 'billing-team',
        reasons: ['accuracy of the latest 100 labeled outcomes (window 100) is 62%, 62 of 100; even its 95% upper bound, 70.9%, is below the target 95%'],
        demotion: { field: 'mode', from: 'review_after', to: 'approve_before' },
      },
    ]);
    expect(second.watches).toEqual([{ workspace: 'acme-support', action: 'cancel_subscription', drifting: true, since: T1.toISOString() }]);

    const patch = demotionPatch(manifestPath, yaml, 'cancel_subscription', second.alerts[0].demotion, driftAlertText(second.alerts[0]));
    expect(patch).toMatch(/^--- a\/manifests\/refunds.yaml/);
    expect(patch).toContain('+    mode: approve_before  # Drift in cancel_subscription (acme-support): accuracy of the latest 100');
    expect(loadManifest(applied(patch)).actions.get('cancel_subscription')!.mode).toBe('approve_before');
  });

  it('alerts once per episode, and the episode ends when the window is back at its bound', () => {
    const drifting: DriftWatch[] = [{ workspace: 'acme-support', action: 'cancel_subscription', drifting: true, since: T0.toISOString() }];
    const still = checkDrift(drifting, [record({ correct: 60 })], policyOf(onTheLoop), T1, 100);
    expect(still.alerts).toEqual([]);
    expect(still.watches[0].drifting).toBe(true);
    const back = checkDrift(drifting, [record({ correct: 96 })], policyOf(onTheLoop), T1, 100);
    expect(back.recovered).toEqual([{ workspace: 'acme-support', action: 'cancel_subscription', since: T0.toISOString() }]);
    expect(back.watches[0]).toMatchObject({ drifting: false, since: null });
  });

  it.each<[string, Partial<RecentRecord>, boolean]>([
    ['19 outcomes say nothing, however wrong', { labeled: 19, correct: 0 }, false],
    ['a dip the window cannot tell from noise (upper bound above the target)', { labeled: 30, correct: 27 }, false],
    ['a clear fall over 20', { labeled: 20, correct: 12 }, true],
    [
      'the approval rate falls well below its baseline',
      { labeled: 0, correct: 0, reviewed: 100, approved_unchanged: 70, baseline_reviewed: 400, baseline_approved_unchanged: 392 },
      true,
    ],
    [
      'the approval rate within the allowed drop',
      { labeled: 0, correct: 0, reviewed: 100, approved_unchanged: 90, baseline_reviewed: 400, baseline_approved_unchanged: 392 },
      false,
    ],
    [
      'no baseline to fall from',
      { labeled: 0, correct: 0, reviewed: 100, approved_unchanged: 10, baseline_reviewed: 5, baseline_approved_unchanged: 5 },
      false,
    ],
  ])('%s', (_name, over, alerted) => {
    expect(checkDrift([], [record(over)], policyOf(onTheLoop), T0, 100).alerts).toHaveLength(alerted ? 1 : 0);
  });

  it('an action the manifest no longer lists is not judged', () => {
    expect(checkDrift([], [record({ correct: 10 })], policyOf(null), T0, 100)).toEqual({ alerts: [], watches: [], recovered: [] });
  });

  it.each<[string, Partial<DriftPolicy>, ReturnType<typeof demotionOf>]>([
    ['autonomous and reversible: back on the loop', { mode: 'autonomous' }, { field: 'mode', from: 'autonomous', to: 'review_after' }],
    ['autonomous and irreversible: approved before', { mode: 'autonomous', reversible: false }, { field: 'mode', from: 'autonomous', to: 'approve_before' }],
    ['review_after: approved before', {}, { field: 'mode', from: 'review_after', to: 'approve_before' }],
    ['log_and_alert: approved before', { mode: 'log_and_alert', reversible: false }, { field: 'mode', from: 'log_and_alert', to: 'approve_before' }],
    [
      'approve_before that auto-approves on confidence: never',
      { mode: 'approve_before', auto_approve_confidence: 0.97 },
      { field: 'thresholds.auto_approve_confidence', from: 0.97, to: 'never' },
    ],
    ['approve_before, never auto-approved: nothing left to take back', { mode: 'approve_before', auto_approve_confidence: 'never' }, null],
  ])('demotion of %s', (_name, over, demotion) => {
    expect(demotionOf({ ...onTheLoop, ...over })).toEqual(demotion);
  });

  it('a threshold demotion patches process_refund’s thresholds in place and applies cleanly', () => {
    const patch = demotionPatch(
      manifestPath,
      yaml,
      'process_refund',
      { field: 'thresholds.auto_approve_confidence', from: 0.97, to: 'never' },
      'Drift in process_refund',
    );
    expect(patch).toContain('+    thresholds: { auto_approve_confidence: never, escalate_confidence: 0.60 }  # Drift in process_refund');
    expect(loadManifest(applied(patch)).actions.get('process_refund')!.autoApproveConfidence).toBe('never');
    expect(demotionPatch(manifestPath, yaml, 'no_such_action', { field: 'mode', from: 'autonomous', to: 'approve_before' }, 'x')).toBe('');
  });

  it.each([
    [62, 100, 0.7092],
    [100, 100, 1],
    [0, 20, 0.1611],
  ])('upper bound of %i of %i', (successes, n, upper) => {
    expect(wilsonUpperBound(successes, n)).toBeCloseTo(upper, 3);
  });
});
