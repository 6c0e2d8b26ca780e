import { POST_REVIEW_COUNTING, PROBATION_COUNTING, ProbationFacts, ReviewedItem, buildPostReviewReport, buildReport, reviewQuality } from '@hitl/calibration';
import { ReportFacts, reportDocument } from './report-document';

const MANIFEST = `version: 1
actions:
  process_refund:
    severity: high
    reversible: false
    approval_required: true
    thresholds: { auto_approve_confidence: 0.97, escalate_confidence: 0.60 }
`;

const overstating = buildReport({
  action: 'process_refund',
  agent_id: null,
  buckets: [
    { action: 'process_refund', agent_id: null, bucket: 9, n: 300, sum_confidence: 291, correct: 180, sum_squared_error: 180 * 0.03 ** 2 + 120 * 0.97 ** 2 },
  ],
  interventions: { approved_unchanged: 40, edited: 6, denied: 4, confirmed: 0, rolled_back: 0 },
  policy: { target_accuracy: 0.95, mode: 'approve_before', auto_approve_confidence: 0.97 },
  previous_accuracy: null,
});

const graduated: ProbationFacts = {
  probation_id: '2e7a9c4d-5b3f-4a1e-8d6c-0f9b8a7e6d5c',
  workspace: 'acme-support',
  action: 'issue_store_credit',
  state: 'graduated',
  reason: 'new to the manifest of acme-support',
  manifest_version: 'sha256:9c1b0e',
  started_at: '2026-11-01T09:00:00.000Z',
  decisions: 50,
  approved_unchanged_rate: 0.95,
  reviewed: 52,
  approved_unchanged: 50,
  graduated_at: '2026-11-04T10:00:00.000Z',
  ended_by: null,
  end_reason: null,
  ended_at: null,
};
const active: ProbationFacts = {
  ...graduated,
  probation_id: '3f8b0d5e-6c4a-4b2f-9e7d-1a0c9b8f7e6d',
  workspace: 'globex',
  action: 'process_refund',
  state: 'active',
  reason: 'auto_approve_confidence lowered from 0.97 to 0.9',
  started_at: '2026-09-01T09:00:00.000Z',
  reviewed: null,
  approved_unchanged: null,
  graduated_at: null,
};

/** `n` approvals of process_refund by `reviewer`, each decided `ms` after opening it. */
const approvals = (reviewer: string, n: number, ms: number): ReviewedItem[] =>
  Array.from({ length: n }, (_, i) => ({
    reviewer_id: reviewer,
    action: 'process_refund',
    verdict: 'approved',
    opened_at: new Date(Date.parse('2026-11-20T09:00:00Z') + i * 600_000).toISOString(),
    decided_at: new Date(Date.parse('2026-11-20T09:00:00Z') + i * 600_000 + ms).toISOString(),
    correct: null,
    read_chars: 200,
  }));

const facts: ReportFacts = {
  id: '0b9a6c1e-2f3d-4a5b-8c7d-9e0f1a2b3c4d',
  generatedAt: new Date('2026-11-23T06:00:00Z'),
  trigger: 'schedule',
  requestedBy: null,
  workspace: null,
  windowDays: 30,
  since: new Date('2026-10-24T06:00:00Z'),
  manifest: { path: 'manifests/refunds.yaml', version: 'sha256:abc', text: MANIFEST },
  targetAccuracy: 0.95,
  lowering: { approvedUnchangedTarget: 0.99, minReviews: 400 },
  unknownOutcomes: 7,
  supersededLabels: 3,
  reports: [overstating, { ...overstating, agent_id: 'overconfident-bot' }],
  postReviews: {
    actions: [
      buildPostReviewReport(
        {
          workspace: 'acme-support',
          action: 'process_refund',
          auto_approvals: 12_000,
          requested: 600,
          open: 20,
          reviewed: 150,
          rolled_back: 8,
          review_window_closed: 10,
          no_review_capacity: 412,
        },
        { mode: 'approve_before', post_review_sample_rate: 0.05 },
      ),
    ],
    unattributed: 1,
  },
  probations: [active, graduated],
  reviewQuality: reviewQuality([...approvals('rev-alice', 22, 40_000), ...approvals('rev-hugo', 30, 250)]),
};

describe('a stored report', () => {
  const doc = reportDocument(facts);

  it('the body: scope, window, counts, the findings of every report with their action and agent, links', () => {
    expect(doc.body).toMatchObject({
      id: facts.id,
      generated_at: '2026-11-23T06:00:00.000Z',
      trigger: 'schedule',
      workspace: null,
      window: { days: 30, since: '2026-10-24T06:00:00.000Z', until: '2026-11-23T06:00:00.000Z' },
      manifest: { path: 'manifests/refunds.yaml', version: 'sha256:abc' },
      labeled_outcomes: 300,
      unknown_outcomes: 7,
      superseded_labels: 3,
      links: {
        markdown: `/reports/${facts.id}.md`,
        patch: `/reports/${facts.id}/suggestions.patch`,
        diagrams: { process_refund: `/reports/${facts.id}/diagram/process_refund.svg` },
      },
    });
    expect(doc.body.findings.map((f) => [f.action, f.agent_id, f.text])).toEqual([
      ['process_refund', null, 'overstates confidence at 0.9: actual 0.60 (stated 0.97, n=300)'],
      ['process_refund', 'overconfident-bot', 'overstates confidence at 0.9: actual 0.60 (stated 0.97, n=300)'],
    ]);
  });

  it('the patch raises the threshold in the manifest file, with the evidence on the line', () => {
    expect(doc.patch).toContain('--- a/manifests/refunds.yaml');
    expect(doc.patch).toContain('-    thresholds: { auto_approve_confidence: 0.97, escalate_confidence: 0.60 }');
    expect(doc.patch).toMatch(
      /\+ {4}thresholds: \{ auto_approve_confidence: never, escalate_confidence: 0\.60 \} {2}# calibration of 2026-11-23 \(30d, report 0b9a6c1e\): overstates confidence at 0\.9/,
    );
    expect(doc.body.suggestions).toEqual([
      expect.objectContaining({ action: 'process_refund', field: 'thresholds.auto_approve_confidence', from: 0.97, to: 'never' }),
    ]);
  });

  it('one diagram per action (agents’ reports are in the JSON and the Markdown)', () => {
    expect(Object.keys(doc.svgs)).toEqual(['process_refund']);
    expect(doc.svgs.process_refund.startsWith('<svg')).toBe(true);
  });

  it('the Markdown: the lib’s report, then what the numbers cover and where the files are', () => {
    expect(doc.markdown).toContain('# Calibration report');
    expect(doc.markdown).toContain('**Finding:** overstates confidence at 0.9: actual 0.60');
    expect(doc.markdown).toContain('- Scope: every workspace; scheduled.');
    expect(doc.markdown).toContain(
      "300 labeled outcomes, each decision counted once by its effective label (its latest outcome.labeled label, else its post-review's verdict: confirmed correct, rolled back incorrect; 3 later labels replaced earlier ones); 7 for unknown decisions.",
    );
    expect(doc.body.lowering).toEqual({ approved_unchanged_target: 0.99, min_reviews: 400 });
    expect(doc.markdown).toContain('approved unchanged by reviewers before it ran in at least 99% of at least 400 reviews');
    expect(doc.markdown).toContain(`- Reliability diagram of process_refund: /reports/${facts.id}/diagram/process_refund.svg`);
  });

  it('nothing labeled in the window: an empty report, still with its counts', () => {
    const empty = reportDocument({ ...facts, reports: [], unknownOutcomes: 2, supersededLabels: 0 });
    expect(empty.body).toMatchObject({ labeled_outcomes: 0, unknown_outcomes: 2, findings: [], suggestions: [], reports: [], links: { diagrams: {} } });
    expect([empty.patch, empty.svgs]).toEqual(['', {}]);
    expect(empty.markdown).toContain('2 labeled outcomes are for decisions this service has not seen');
  });

  it('post-reviews: in the body with how they count, and as a section of the Markdown before what the numbers cover', () => {
    expect(doc.body.post_reviews).toEqual({ counting: POST_REVIEW_COUNTING, unattributed: 1, actions: facts.postReviews.actions });
    expect(doc.body.post_reviews.actions[0]).toMatchObject({ not_queued_no_capacity: 412, queued: 188, effective_rate: 0.0157, configured_rate: 0.05 });
    // The reports count post-review verdicts as labels already: the section adds none.
    expect(doc.body.labeled_outcomes).toBe(300);
    const section = doc.markdown.indexOf('## Post-reviews');
    expect(section).toBeGreaterThan(doc.markdown.indexOf('# Calibration report'));
    expect(section).toBeLessThan(doc.markdown.indexOf('## About this report'));
    expect(doc.markdown).toContain('effective rate 1.6% instead of 5%');
    expect(doc.markdown).toContain(POST_REVIEW_COUNTING);
    const none = reportDocument({ ...facts, postReviews: { actions: [], unattributed: 0 } });
    expect(none.body.post_reviews).toEqual({ counting: POST_REVIEW_COUNTING, unattributed: 0, actions: [] });
    expect(none.markdown).toContain('No post-reviews in the window.');
  });

  it('probations: by state in the body, each with its summary; a section of the Markdown after the post-reviews', () => {
    expect(doc.body.probations).toEqual({
      active: [
        {
          ...active,
          summary:
            'process_refund in globex on probation since 2026-09-01: auto_approve_confidence lowered from 0.97 to 0.9; every decision to a person until 50 reviewed decisions are approved unchanged at 95%',
        },
      ],
      graduated: [
        {
          ...graduated,
          summary:
            'issue_store_credit in acme-support graduated from probation on 2026-11-04: 50 of 52 reviewed decisions approved unchanged (needed 50 at 95%); started 2026-11-01: new to the manifest of acme-support',
        },
      ],
      ended: [],
    });
    const section = doc.markdown.indexOf('## Probation');
    expect(section).toBeGreaterThan(doc.markdown.indexOf('## Post-reviews'));
    expect(section).toBeLessThan(doc.markdown.indexOf('## About this report'));
    expect(doc.markdown).toContain(`- ${doc.body.probations.graduated[0].summary}`);
    expect(doc.markdown).toContain(PROBATION_COUNTING);
    // A workspace's own report does not name the workspace in each line.
    const own = reportDocument({ ...facts, workspace: 'acme-support', probations: [graduated] });
    expect(own.markdown).toContain(
      '- issue_store_credit graduated from probation on 2026-11-04: 50 of 52 reviewed decisions approved unchanged (needed 50 at 95%)',
    );
    const none = reportDocument({ ...facts, probations: [] });
    expect(none.body.probations).toEqual({ active: [], graduated: [], ended: [] });
    expect(none.markdown).toContain('No probation started, graduated or ended in the window, and none is active.');
  });

  it('review quality: per reviewer in the body, the rubber stamp flagged; a section of the Markdown before the about', () => {
    expect(doc.body.review_quality.flagged).toEqual(['rev-hugo']);
    expect(doc.body.review_quality.reviewers.map((r) => [r.reviewer_id, r.decided, r.rubber_stamp])).toEqual([
      ['rev-alice', 22, false],
      ['rev-hugo', 30, true],
    ]);
    const section = doc.markdown.indexOf('## Review quality');
    expect(section).toBeGreaterThan(doc.markdown.indexOf('## Probation'));
    expect(section).toBeLessThan(doc.markdown.indexOf('## About this report'));
    expect(doc.markdown).toContain('- **Rubber stamp:** rev-hugo: approved 100% unchanged (30 of 30), deciding a median 0.3 s after opening');
    expect(reportDocument({ ...facts, reviewQuality: reviewQuality([]) }).markdown).not.toContain('## Review quality');
  });

  it('no manifest file to read: no suggestions, and the report says so', () => {
    const without = reportDocument({ ...facts, manifest: { ...facts.manifest, text: null } });
    expect([without.patch, without.body.suggestions]).toEqual(['', []]);
    expect(without.markdown).toContain('The manifest file could not be read: no suggestions.');
  });
});
