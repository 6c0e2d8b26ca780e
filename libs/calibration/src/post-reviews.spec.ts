import { POST_REVIEW_COUNTING, PostReviewCounts, PostReviewPolicy, buildPostReviewReport, configuredRate, percent, postReviewMarkdown } from './post-reviews';

const counts = (over: Partial<PostReviewCounts> = {}): PostReviewCounts => ({
  workspace: 'acme-support',
  action: 'process_refund',
  auto_approvals: 0,
  requested: 0,
  open: 0,
  reviewed: 0,
  rolled_back: 0,
  review_window_closed: 0,
  no_review_capacity: 0,
  ...over,
});
const sampled: PostReviewPolicy = { mode: 'approve_before', post_review_sample_rate: 0.05 };

describe('post-reviews', () => {
  it.each<[string, PostReviewPolicy | null, number | null, string | null]>([
    ['approve_before: the manifest’s post_review_sample_rate', sampled, 0.05, 'post_review_sample_rate'],
    ['review_after: every auto-approval', { mode: 'review_after', post_review_sample_rate: 0 }, 1, 'review_after'],
    ['autonomous: never reviewed after the fact', { mode: 'autonomous', post_review_sample_rate: 0.5 }, 0, 'never_sampled'],
    ['log_and_alert: never reviewed after the fact', { mode: 'log_and_alert', post_review_sample_rate: 0 }, 0, 'never_sampled'],
    ['an action the manifest does not list', null, null, null],
  ])('configured rate of %s', (_name, policy, rate, source) => {
    expect(configuredRate(policy)).toEqual({ rate, source });
  });

  it.each([
    [0.05, '5%'],
    [0.0157, '1.6%'],
    [1, '100%'],
    [0, '0%'],
    [0.0004, '0.04%'],
    [0.125, '12.5%'],
  ])('%s reads as %s', (rate, text) => {
    expect(percent(rate)).toBe(text);
  });

  it.each<[string, Partial<PostReviewCounts>, PostReviewPolicy | null, object, string]>([
    [
      'sampling backed off: the effective rate is what reached a queue, over the auto-approvals',
      { auto_approvals: 12_000, requested: 600, open: 20, reviewed: 150, rolled_back: 8, review_window_closed: 10, no_review_capacity: 412 },
      sampled,
      { queued: 188, effective_rate: 0.0157, configured_rate: 0.05, sampling_backed_off: true, rollback_rate: 0.0506 },
      'sampling backed off: 412 of 600 sampled post-reviews were not queued, reviewers had no capacity left; effective rate 1.6% instead of 5%',
    ],
    [
      'every one queued',
      { auto_approvals: 1_000, requested: 50, open: 2, reviewed: 45, rolled_back: 3 },
      sampled,
      { queued: 50, effective_rate: 0.05, sampling_backed_off: false, rollback_rate: 0.0625 },
      'sampling did not back off: every sampled post-review was queued; effective rate 5% (configured 5%)',
    ],
    [
      'a review_after action: every auto-approval asked for, rate 1',
      { auto_approvals: 40, requested: 40, reviewed: 10, no_review_capacity: 30 },
      { mode: 'review_after', post_review_sample_rate: 0 },
      { queued: 10, effective_rate: 0.25, configured_rate: 1, configured_rate_source: 'review_after' },
      'sampling backed off: 30 of 40 sampled post-reviews were not queued, reviewers had no capacity left; effective rate 25% instead of 100%',
    ],
    [
      'an action the manifest no longer lists',
      { auto_approvals: 10, requested: 2, no_review_capacity: 1, open: 1 },
      null,
      { configured_rate: null, configured_rate_source: null, effective_rate: 0.1 },
      'sampling backed off: 1 of 2 sampled post-reviews were not queued, reviewers had no capacity left; effective rate 10% (the manifest in force does not list process_refund)',
    ],
    [
      'post-reviews without the auto-approvals they came from (not seen yet)',
      { requested: 3, no_review_capacity: 3 },
      sampled,
      { effective_rate: null, rollback_rate: null },
      'sampling backed off: 3 of 3 sampled post-reviews were not queued, reviewers had no capacity left; effective rate unknown, no auto-approvals by policy in the window (configured 5%)',
    ],
    [
      'auto-approvals, none sampled',
      { auto_approvals: 15 },
      sampled,
      { post_reviews_requested: 0, queued: 0, effective_rate: 0, sampling_backed_off: false },
      'no post-reviews sampled in the window; effective rate 0% (configured 5%)',
    ],
  ])('%s', (_name, over, policy, expected, sentence) => {
    const report = buildPostReviewReport(counts(over), policy);
    expect(report).toMatchObject(expected);
    expect(report.sampling).toBe(sentence);
  });

  it('each count as SQL gave it, under its own name; an unreviewed one is only ever "not reviewed"', () => {
    const report = buildPostReviewReport(
      counts({ auto_approvals: 100, requested: 9, open: 1, reviewed: 2, rolled_back: 1, review_window_closed: 3, no_review_capacity: 2 }),
      sampled,
    );
    expect(report).toEqual({
      workspace: 'acme-support',
      action: 'process_refund',
      auto_approvals: 100,
      post_reviews_requested: 9,
      reviewed: 2,
      rolled_back: 1,
      unreviewed_window_closed: 3,
      not_queued_no_capacity: 2,
      open: 1,
      queued: 7,
      configured_rate: 0.05,
      configured_rate_source: 'post_review_sample_rate',
      effective_rate: 0.07,
      // Of the 3 a person ended; the 5 nobody looked at are in no rate of verdicts.
      rollback_rate: 0.3333,
      sampling_backed_off: true,
      sampling: expect.stringMatching(/^sampling backed off: 2 of 9 /),
    });
  });

  it('the Markdown: a row per workspace and action, the sentence on sampling, and how post-reviews count', () => {
    const report = buildPostReviewReport(
      counts({ auto_approvals: 12_000, requested: 600, open: 20, reviewed: 150, rolled_back: 8, review_window_closed: 10, no_review_capacity: 412 }),
      sampled,
    );
    const text = postReviewMarkdown([report], 2).join('\n');
    expect(text).toContain('## Post-reviews (actions that ran, reviewed after the fact)');
    expect(text).toContain('| acme-support | process_refund | 12000 | 600 | 150 | 8 | 10 | 412 | 20 | 5% | 1.6% |');
    expect(text).toContain(
      '- acme-support, process_refund: sampling backed off: 412 of 600 sampled post-reviews were not queued, reviewers had no capacity left; effective rate 1.6% instead of 5%.',
    );
    expect(text).toContain('2 post-reviews ended for approvals whose request and decision this service has not seen');
    expect(text).toContain(POST_REVIEW_COUNTING);
    expect(POST_REVIEW_COUNTING).toMatch(/a confirmed post-review as a correct outcome .* a rolled back one as an incorrect outcome and as an intervention/);
    expect(POST_REVIEW_COUNTING).toMatch(/unreviewed one .* is never a label/);
    expect(POST_REVIEW_COUNTING).toMatch(/outcome\.labeled label of the same decision stays authoritative/);
    expect(postReviewMarkdown([], 0).join('\n')).toContain('No post-reviews in the window.');
  });
});
