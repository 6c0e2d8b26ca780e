import { ExitCode } from '../cli-context';
import { runCli } from '../program';
import { ReportAnswer, formatCalibration, parseWindowDays } from './calibrate.command';

const ID = '0b9a6c1e-2f3d-4a5b-8c7d-9e0f1a2b3c4d';
const report: ReportAnswer = {
  id: ID,
  generated_at: '2026-11-23T06:00:00.000Z',
  workspace: null,
  window: { days: 30 },
  labeled_outcomes: 300,
  unknown_outcomes: 7,
  superseded_labels: 3,
  findings: [{ action: 'process_refund', agent_id: null, text: 'overstates confidence at 0.9: actual 0.60 (stated 0.97, n=300)' }],
  suggestions: [{ action: 'process_refund', field: 'thresholds.auto_approve_confidence', from: 0.97, to: 1 }],
  reports: [
    {
      action: 'process_refund',
      agent_id: null,
      n: 300,
      accuracy: 0.6,
      wilson_lower: 0.5435,
      ece: 0.37,
      brier: 0.3765,
      intervention: { approved_unchanged: 40, edited: 6, denied: 4, rate: 0.2 },
      promotion: null,
      demotion: null,
    },
  ],
  links: {
    markdown: `/reports/${ID}.md`,
    patch: `/reports/${ID}/suggestions.patch`,
    diagrams: { process_refund: `/reports/${ID}/diagram/process_refund.svg` },
  },
};

async function run(argv: string[], reply: () => Response, env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const calls: { url: string; method: string; body: unknown; authorization: string | null }[] = [];
  const code = await runCli(argv, {
    io: { out: (text) => (out += text), err: (text) => (err += text) },
    readText: () => '',
    now: () => new Date('2026-11-23T07:00:00Z'),
    env,
    fetch: async (input, init) => {
      calls.push({
        url: String(input),
        method: init?.method ?? 'GET',
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
        authorization: new Headers(init?.headers).get('authorization'),
      });
      return reply();
    },
  });
  return { code, out, err, calls };
}

const json = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('hitl calibrate', () => {
  it('prints both ways: a lowering and a widening with their reasons, post-reviews confirmed and rolled back, what reviewers changed, a promotion held back', () => {
    const both: ReportAnswer = {
      ...report,
      findings: [],
      reports: [
        {
          ...report.reports[0],
          n: 600,
          intervention: { approved_unchanged: 398, edited: 1, denied: 1, confirmed: 62, rolled_back: 18, rate: 0.042 },
          lowering: { from: 0.95, to: 0.9, reason: 'reviewers approved unchanged 0.9-1.0: 398 of 400 (99.5%)' },
          widening: { from: 20, to: 25, reason: 'reviewers approved unchanged $20-$25: 398 of 400 (99.5%)' },
          promotion_check: { to_mode: 'review_after', held_back: ['no owner: nobody is accountable for its autonomy'] },
          edits: {
            approved: 598,
            edited: 34,
            fields: [{ text: 'amount_usd lowered in 5.7% of reviews (34 of 598), median −50%' }],
            suggested_rules: [{ rule: { field: 'parameters.customer_tier', equals: 'gold' }, text: 'reviewers edited 30 of 40 reviews' }],
          },
        },
      ],
    };
    const withProbations: ReportAnswer = {
      ...report,
      findings: [],
      reports: [],
      probations: {
        active: [{ summary: 'issue_gift_card on probation since 2026-12-04: new to the manifest of acme-support' }],
        graduated: [{ summary: 'issue_store_credit graduated from probation on 2026-12-04: 3 of 3 reviewed decisions approved unchanged' }],
        ended: [],
      },
    };
    expect(formatCalibration(withProbations, new URL('http://127.0.0.1:3004')).filter((l) => l.startsWith('probation:'))).toEqual([
      'probation: issue_store_credit graduated from probation on 2026-12-04: 3 of 3 reviewed decisions approved unchanged',
      'probation: issue_gift_card on probation since 2026-12-04: new to the manifest of acme-support',
    ]);
    expect(formatCalibration(both, new URL('http://127.0.0.1:3004')).slice(2, 11)).toEqual([
      'process_refund: n=600, accuracy 0.60 (95% lower bound 0.54), ECE 0.370, Brier 0.377',
      '  reviewers: 398 approved unchanged, 1 edited, 1 denied; after the fact 62 confirmed, 18 rolled back (intervention 4.2%)',
      '  promotion to review_after held back: no owner: nobody is accountable for its autonomy',
      '  lower auto_approve_confidence 0.95 → 0.9: reviewers approved unchanged 0.9-1.0: 398 of 400 (99.5%)',
      '  widen auto_approve_below_usd 20 → 25: reviewers approved unchanged $20-$25: 398 of 400 (99.5%)',
      '  reviewers edited 34 of 598 approvals:',
      '    amount_usd lowered in 5.7% of reviews (34 of 598), median −50%',
      '    suggested escalate_when {"field":"parameters.customer_tier","equals":"gold"}: reviewers edited 30 of 40 reviews',
      'suggested manifest changes (for review; the service never applies them):',
    ]);
  });

  it('asks for a report now and prints the findings, the suggestions and where the Markdown, diagrams and patch are', async () => {
    const result = await run(['calibrate'], json(201, report), { AUDITOR_TOKEN: 'tok-0123456789abcdef' });
    expect(result.calls).toEqual([{ url: 'http://127.0.0.1:3004/reports', method: 'POST', body: {}, authorization: 'Bearer tok-0123456789abcdef' }]);
    expect(result.out.split('\n')).toEqual([
      `calibration report ${ID} over every workspace, the last 30 days (generated 2026-11-23T06:00:00.000Z)`,
      '300 labeled outcomes (each decision once; 3 labels replaced by a later one); 7 for decisions not seen, kept',
      'process_refund: n=300, accuracy 0.60 (95% lower bound 0.54), ECE 0.370, Brier 0.377',
      '  finding: overstates confidence at 0.9: actual 0.60 (stated 0.97, n=300)',
      '  reviewers: 40 approved unchanged, 6 edited, 4 denied (intervention 20.0%)',
      'suggested manifest changes (for review; the service never applies them):',
      '  process_refund thresholds.auto_approve_confidence: 0.97 → 1',
      `markdown: http://127.0.0.1:3004/reports/${ID}.md`,
      `diagram of process_refund: http://127.0.0.1:3004/reports/${ID}/diagram/process_refund.svg`,
      `patch: http://127.0.0.1:3004/reports/${ID}/suggestions.patch`,
      '',
    ]);
    expect(result.code).toBe(ExitCode.ok);
  });

  it('passes the window and the workspace, at the URL given, with the token of another variable', async () => {
    const result = await run(
      ['calibrate', '--window-days', '7', '--workspace', 'acme-support', '--url', 'http://calibrator.internal/hitl', '--token-env', 'MY_TOKEN'],
      json(201, report),
      { MY_TOKEN: 'mine' },
    );
    expect(result.calls).toEqual([
      { url: 'http://calibrator.internal/hitl/reports', method: 'POST', body: { window_days: 7, workspace: 'acme-support' }, authorization: 'Bearer mine' },
    ]);
    expect(result.out).toContain(`markdown: http://calibrator.internal/hitl/reports/${ID}.md`);
  });

  it('--json prints the answer as it came', async () => {
    const result = await run(['calibrate', '--json', '--token', 't'], json(201, report));
    expect(JSON.parse(result.out)).toEqual(report);
  });

  it('exits 2 without a token, and says what the service answered when it refuses', async () => {
    const noToken = await run(['calibrate'], json(201, report));
    expect([noToken.code, noToken.err]).toEqual([
      ExitCode.usage,
      'hitl: no auditor token: set AUDITOR_TOKEN (or name another variable with --token-env), or pass --token\n',
    ]);
    const refused = await run(
      ['calibrate', '--token', 't'],
      json(403, { statusCode: 403, code: 'wrong_workspace', message: 'you may not read workspace globex' }),
    );
    expect([refused.code, refused.err]).toEqual([ExitCode.usage, 'hitl: the calibrator answered 403 wrong_workspace: you may not read workspace globex\n']);
    expect(refused.calls).toHaveLength(1);
  });

  it('prints how post-reviews ended and how far sampling backed off, per action', () => {
    const sampling = 'sampling backed off: 412 of 600 sampled post-reviews were not queued, reviewers had no capacity left; effective rate 1.6% instead of 5%';
    const lines = formatCalibration(
      {
        ...report,
        workspace: 'acme-support',
        post_reviews: {
          actions: [
            {
              workspace: 'acme-support',
              action: 'process_refund',
              post_reviews_requested: 600,
              reviewed: 150,
              rolled_back: 3,
              unreviewed_window_closed: 20,
              not_queued_no_capacity: 412,
              open: 15,
              sampling,
            },
          ],
        },
      },
      new URL('http://127.0.0.1:3004'),
    );
    expect(lines).toContain(
      'post-reviews of process_refund: 600 requested, 150 reviewed, 3 rolled back, 20 unreviewed (window closed), 412 not queued (no reviewer capacity), 15 open',
    );
    expect(lines).toContain(`  ${sampling}`);
  });

  it('no labeled outcomes: says so', () => {
    const lines = formatCalibration(
      { ...report, labeled_outcomes: 0, findings: [], suggestions: [], reports: [], links: { ...report.links, diagrams: {} } },
      new URL('http://127.0.0.1:3004'),
    );
    expect(lines).toContain('no labeled outcomes in the window');
    expect(lines).toContain('no manifest changes suggested');
  });

  it.each([
    ['7', 7],
    [' 365 ', 365],
  ])('--window-days %s is %s', (value, days) => expect(parseWindowDays(value)).toBe(days));
  it.each(['0', '366', '7d', '1.5', ''])('--window-days %j is refused', (value) =>
    expect(() => parseWindowDays(value)).toThrow('expected a whole number of days from 1 to 365'),
  );
});
