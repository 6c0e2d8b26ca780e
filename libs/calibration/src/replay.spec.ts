import { DecisionProposedData, exampleDecision } from '@hitl/contracts';
import { loadManifest } from '@hitl/policy';
import { HistoricalDecision, mergeReplays, replay } from './replay';

const now = new Date('2026-11-22T09:00:00Z');
const manifest = (autoBelow: number, ceiling = 500) =>
  loadManifest(`
actions:
  process_refund:
    severity: high
    reversible: false
    approval_required: true
    escalation_path: [support_agent, finance_lead]
    conditions: { auto_approve_below_usd: ${autoBelow}, always_approve_above_usd: ${ceiling} }
    thresholds: { auto_approve_confidence: 0.97, escalate_confidence: 0.6 }
`);

const decision = (amount: number, confidence: number, correct: boolean | null, routed: HistoricalDecision['routed_verdict'] = null): HistoricalDecision => ({
  proposal: {
    ...exampleDecision,
    parameters: { order_id: 'A', amount_usd: amount },
    confidence,
    uncertainty_factors: [],
    recommended_review: false,
    context: {},
  } as DecisionProposedData,
  routed_verdict: routed,
  correct,
});

describe('replaying history with a candidate manifest', () => {
  const history = [
    decision(30, 0.8, true, 'auto_approve'), // below 50: auto; below 20 under the stricter candidate: human
    decision(45, 0.8, false, 'auto_approve'), // the same, and it was a mistake
    decision(120, 0.8, true, 'human_review'), // human either way
    decision(10, 0.8, true, 'auto_approve'), // auto either way
    decision(120, 0.5, false, 'escalate'), // escalated either way
  ];

  it('a stricter candidate: fewer auto-approvals, more human review for the first tier', () => {
    const report = replay(history, manifest(20), manifest(50), now);
    expect(report).toEqual({
      decisions: 5,
      changed: 2,
      changes: { 'auto_approve → human_review': 2 },
      review_load: { support_agent: { before: 1, after: 3, change: 2 }, finance_lead: { before: 1, after: 1, change: 0 } },
      added_auto_approvals: 0,
      added_auto_approvals_labeled_wrong: 0,
      removed_auto_approvals: 2,
    });
  });

  it('a looser candidate: the auto-approvals it adds, and how many of them were wrong', () => {
    const strict = [decision(30, 0.8, true, 'human_review'), decision(45, 0.8, false, 'human_review'), decision(120, 0.8, false, 'human_review')];
    const report = replay(strict, manifest(50), manifest(20), now);
    expect(report).toMatchObject({
      changed: 2,
      added_auto_approvals: 2,
      added_auto_approvals_labeled_wrong: 1,
      review_load: { support_agent: { before: 3, after: 1, change: -2 } },
    });
  });

  it('a recorded human review counts as load even where the manifest in force would auto-approve now', () => {
    const report = replay([decision(30, 0.8, true, 'human_review')], manifest(20), manifest(50), now);
    expect(report.review_load).toEqual({ support_agent: { before: 1, after: 1, change: 0 } });
  });

  it('without a recorded verdict, the current manifest says what happened', () => {
    const report = replay([decision(30, 0.8, null)], manifest(20), manifest(50), now);
    expect(report.changes).toEqual({ 'auto_approve → human_review': 1 });
  });
});

describe('replaying history a page at a time', () => {
  it('adds up to the same report as replaying it at once', () => {
    const history = [
      decision(30, 0.8, true, 'auto_approve'),
      decision(45, 0.8, false, 'auto_approve'),
      decision(120, 0.8, true, 'human_review'),
      decision(120, 0.5, false, 'escalate'),
    ];
    const whole = replay(history, manifest(20), manifest(50), now);
    const paged = mergeReplays(replay(history.slice(0, 1), manifest(20), manifest(50), now), replay(history.slice(1), manifest(20), manifest(50), now));
    expect(paged).toEqual(whole);
  });
});
