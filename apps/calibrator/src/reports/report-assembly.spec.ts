import { CalibrationPolicy, PostReviewCounts, PostReviewPolicy } from '@hitl/calibration';
import { AggregateRow, Aggregates, assemblePostReviews, assembleReports } from './report-assembly';

// Sums for `n` outcomes all stated at `confidence`, `correct` of them right.
const row = (action: string, agent: string | null, bucket: number, n: number, confidence: number, correct: number): AggregateRow => ({
  action,
  agent_id: agent,
  per_agent: agent !== null,
  bucket,
  n,
  sum_confidence: n * confidence,
  correct,
  sum_squared_error: correct * (confidence - 1) ** 2 + (n - correct) * confidence ** 2,
});

const refunds: CalibrationPolicy = { target_accuracy: 0.95, mode: 'approve_before', auto_approve_confidence: 0.97 };
const policyOf = (action: string) => (action === 'process_refund' ? refunds : null);
const none: Aggregates = { buckets: [], interventions: [], previous: [] };

describe('assembling reports from aggregates', () => {
  it('an action whose only agent overstates: one report with the finding and a stricter threshold', () => {
    const reports = assembleReports(
      { ...none, buckets: [row('process_refund', null, 9, 300, 0.97, 180), row('process_refund', 'overconfident-bot', 9, 300, 0.97, 180)] },
      policyOf,
    );
    expect(reports).toHaveLength(1); // the agent's report would repeat the action's
    expect(reports[0]).toMatchObject({ action: 'process_refund', agent_id: null, n: 300, accuracy: 0.6, suggested_auto_approve_confidence: 'never' });
    expect(reports[0].findings.map((f) => f.text)).toEqual(['overstates confidence at 0.9: actual 0.60 (stated 0.97, n=300)']);
  });

  it('agents with 50 or more outcomes get their own report after the action’s; fewer do not', () => {
    const buckets = [
      row('process_refund', null, 9, 340, 0.97, 210),
      row('process_refund', null, 7, 60, 0.75, 45),
      row('process_refund', 'overconfident-bot', 9, 300, 0.97, 180),
      row('process_refund', 'careful-bot', 7, 60, 0.75, 45),
      row('process_refund', 'careful-bot', 9, 40, 0.97, 30),
    ];
    const reports = assembleReports({ ...none, buckets }, policyOf);
    expect(reports.map((r) => [r.action, r.agent_id, r.n])).toEqual([
      ['process_refund', null, 400],
      ['process_refund', 'careful-bot', 100],
      ['process_refund', 'overconfident-bot', 300],
    ]);
  });

  it('actions in name order; one the manifest does not know is reported without a policy', () => {
    const reports = assembleReports({ ...none, buckets: [row('wire_money', null, 5, 30, 0.55, 15), row('process_refund', null, 9, 30, 0.97, 29)] }, policyOf);
    expect(reports.map((r) => r.action)).toEqual(['process_refund', 'wire_money']);
    expect(reports[1]).toMatchObject({ suggested_auto_approve_confidence: null, promotion: null, demotion: null });
  });

  it('interventions of the action and of each agent go to their reports', () => {
    const buckets = [row('process_refund', null, 9, 120, 0.97, 118), row('process_refund', 'a', 9, 60, 0.97, 59), row('process_refund', 'b', 9, 60, 0.97, 59)];
    const interventions = [
      { action: 'process_refund', agent_id: null, per_agent: false, approved_unchanged: 40, edited: 6, denied: 4, confirmed: 0, rolled_back: 0 },
      { action: 'process_refund', agent_id: 'a', per_agent: true, approved_unchanged: 20, edited: 0, denied: 0, confirmed: 0, rolled_back: 0 },
    ];
    const [all, a, b] = assembleReports({ ...none, buckets, interventions }, policyOf);
    expect(all.intervention).toEqual({ approved_unchanged: 40, edited: 6, denied: 4, confirmed: 0, rolled_back: 0, rate: 0.2 });
    expect(a.intervention).toEqual({ approved_unchanged: 20, edited: 0, denied: 0, confirmed: 0, rolled_back: 0, rate: 0 });
    expect(b.intervention).toBeNull();
  });

  it('post-reviews ended by reviewers go to the intervention counts: a rollback is an intervention', () => {
    const buckets = [row('process_refund', null, 9, 120, 0.97, 118)];
    const interventions = [
      { action: 'process_refund', agent_id: null, per_agent: false, approved_unchanged: 40, edited: 0, denied: 0, confirmed: 8, rolled_back: 2 },
    ];
    const [all] = assembleReports({ ...none, buckets, interventions }, policyOf);
    expect(all.intervention).toEqual({ approved_unchanged: 40, edited: 0, denied: 0, confirmed: 8, rolled_back: 2, rate: 0.04 });
  });

  describe('actions without labeled outcomes, and reviewers’ approvals', () => {
    const credits: CalibrationPolicy = {
      target_accuracy: 0.95,
      mode: 'approve_before',
      auto_approve_confidence: 0.95,
      lowering: { escalate_confidence: 0.6, severity: 'medium', reversible: false, approved_unchanged_target: 0.99, min_reviews: 400 },
    };
    const withCredits = (action: string) => (action === 'issue_goodwill_credit' ? credits : policyOf(action));
    const band = (action: string, bucket: number, reviewed: number, approved_unchanged: number) => ({ action, bucket, reviewed, approved_unchanged });

    it.each([
      ['a band that holds: reported, with the lowering', [band('issue_goodwill_credit', 9, 400, 398)], [['issue_goodwill_credit', 0.9]]],
      ['a band that does not hold: not reported (nothing labeled, nothing to suggest)', [band('issue_goodwill_credit', 9, 400, 390)], []],
      ['an action the manifest does not know: not reported', [band('wire_money', 9, 400, 400)], []],
    ])('%s', (_name, bands, expected) => {
      const reports = assembleReports({ ...none, bands }, withCredits);
      expect(reports.map((r) => [r.action, r.lowering?.to])).toEqual(expected);
      expect(reports.every((r) => r.n === 0)).toBe(true);
    });

    it('bands go to the action’s report only, not to its agents’', () => {
      const buckets = [
        row('issue_goodwill_credit', null, 9, 120, 0.97, 120),
        row('issue_goodwill_credit', 'a', 9, 60, 0.97, 60),
        row('issue_goodwill_credit', 'b', 9, 60, 0.97, 60),
      ];
      const reports = assembleReports({ ...none, buckets, bands: [band('issue_goodwill_credit', 9, 400, 398)] }, withCredits);
      expect(reports.map((r) => [r.agent_id, r.lowering?.to ?? null])).toEqual([
        [null, 0.9],
        ['a', null],
        ['b', null],
      ]);
    });
  });

  it('a drop from the previous window raises a demotion alert; a previous window under 20 outcomes says nothing', () => {
    const buckets = [row('process_refund', null, 9, 100, 0.97, 70)];
    const [dropped] = assembleReports({ ...none, buckets, previous: [{ action: 'process_refund', n: 100, correct: 97 }] }, policyOf);
    expect(dropped.demotion?.reason).toBe('accuracy fell from 0.97 to 0.70 (target 0.95, n=100)');
    const [unknown] = assembleReports({ ...none, buckets, previous: [{ action: 'process_refund', n: 19, correct: 19 }] }, policyOf);
    expect(unknown.demotion).toBeNull();
  });
});

describe('assembling post-review reports', () => {
  const counts = (workspace: string, action: string, over: Partial<PostReviewCounts> = {}): PostReviewCounts => ({
    workspace,
    action,
    auto_approvals: 0,
    requested: 0,
    open: 0,
    reviewed: 0,
    rolled_back: 0,
    review_window_closed: 0,
    no_review_capacity: 0,
    ...over,
  });
  // acme-support has its own manifest: refunds sampled at 10% there, 5% elsewhere.
  const policies: Record<string, Record<string, PostReviewPolicy>> = {
    'acme-support': {
      process_refund: { mode: 'approve_before', post_review_sample_rate: 0.1 },
      cancel_subscription: { mode: 'review_after', post_review_sample_rate: 0 },
    },
    default: {
      process_refund: { mode: 'approve_before', post_review_sample_rate: 0.05 },
      issue_goodwill_credit: { mode: 'approve_before', post_review_sample_rate: 0 },
      tag_ticket: { mode: 'autonomous', post_review_sample_rate: 0 },
    },
  };
  const policyOf = (workspace: string, action: string) => (policies[workspace] ?? policies.default)[action] ?? null;

  it('per workspace and action, each by its own manifest, in name order', () => {
    const reports = assemblePostReviews(
      [
        counts('globex', 'process_refund', { auto_approvals: 200, requested: 10, reviewed: 10 }),
        counts('acme-support', 'process_refund', { auto_approvals: 100, requested: 10, reviewed: 4, no_review_capacity: 6 }),
        counts('acme-support', 'cancel_subscription', { auto_approvals: 5, requested: 5, open: 5 }),
      ],
      policyOf,
    );
    expect(reports.map((r) => [r.workspace, r.action, r.configured_rate, r.effective_rate, r.sampling_backed_off])).toEqual([
      ['acme-support', 'cancel_subscription', 1, 1, false],
      ['acme-support', 'process_refund', 0.1, 0.04, true],
      ['globex', 'process_refund', 0.05, 0.05, false],
    ]);
    expect(reports[1].sampling).toBe(
      'sampling backed off: 6 of 10 sampled post-reviews were not queued, reviewers had no capacity left; effective rate 4% instead of 10%',
    );
  });

  it.each<[string, PostReviewCounts, boolean]>([
    ['auto-approvals of an action sampled at 5%, none sampled yet: shown', counts('globex', 'process_refund', { auto_approvals: 3 }), true],
    ['auto-approvals of an action sampled at 0: left out', counts('globex', 'issue_goodwill_credit', { auto_approvals: 30 }), false],
    ['auto-approvals of an autonomous action: left out', counts('globex', 'tag_ticket', { auto_approvals: 30 }), false],
    ['auto-approvals of an action the manifest does not list: left out', counts('globex', 'wire_money', { auto_approvals: 30 }), false],
    [
      'post-reviews of an action the manifest no longer samples: shown',
      counts('globex', 'issue_goodwill_credit', { auto_approvals: 30, requested: 1, open: 1 }),
      true,
    ],
  ])('%s', (_name, row, shown) => {
    expect(assemblePostReviews([row], policyOf)).toHaveLength(shown ? 1 : 0);
  });
});
