// The refund example's tally: computed from the resolutions the agent received.
import { ResolvedRecord, formatTally, median, tally } from '../../examples/refund-agent/tally';

let n = 0;
function record(
  amount: number | null,
  by: 'policy' | 'reviewer' | 'timeout',
  status: ResolvedRecord['resolution']['status'],
  extra: { reviewMs?: number; edited?: boolean; escalated?: boolean; action?: string } = {},
): ResolvedRecord {
  n += 1;
  return {
    decision_id: `d-${n}`,
    action: extra.action ?? 'process_refund',
    amount_usd: amount,
    proposed_at_ms: 1_000,
    resolved_at_ms: 1_000 + (extra.reviewMs ?? 5),
    resolution: {
      status,
      resolved_by: { kind: by, id: by === 'reviewer' ? 'rev-alice' : by },
      edited: extra.edited ?? false,
      reasons: extra.escalated
        ? [{ rule: 'escalate', detail: 'parameters.customer_tier is enterprise' }]
        : [{ rule: 'human_review', detail: 'a support_agent decides' }],
    },
  };
}

describe('refund tally', () => {
  it('counts volume the agent handled alone and dollars a human touched', () => {
    const records = [
      ...Array.from({ length: 17 }, () => record(10, 'policy', 'approved')),
      record(null, 'policy', 'blocked', { action: 'wire_money' }),
      record(600, 'reviewer', 'approved', { reviewMs: 400, escalated: true }),
      record(100, 'reviewer', 'approved', { reviewMs: 1_000, edited: true }),
      record(30, 'reviewer', 'denied', { reviewMs: 2_000 }),
      record(200, 'timeout', 'expired'),
    ];
    const t = tally(records);
    expect(t).toMatchObject({
      resolved: 22,
      agentAlone: 18,
      autoApproved: 17,
      reviews: 3,
      escalations: 1,
      timeouts: 1,
      blocks: 1,
      approved: 19,
      denied: 1,
      edited: 1,
      expired: 1,
      dollars: 1100,
      humanDollars: 930,
      medianReviewMs: 1_000,
    });
    expect(t.agentAloneShare).toBeCloseTo(18 / 22);
    expect(t.humanDollarShare).toBeCloseTo(930 / 1100);
  });

  it('is all zeros without records, and prints', () => {
    const t = tally([]);
    expect(t).toMatchObject({ resolved: 0, agentAloneShare: 0, humanDollarShare: 0, medianReviewMs: null });
    expect(formatTally(t)).toContain('median review time         n/a');
    expect(formatTally(tally([record(40, 'policy', 'approved'), record(60, 'reviewer', 'approved', { reviewMs: 750 })]))).toMatch(
      /50\.0% of volume[\s\S]*60\.0% \(\$60\.00 of \$100\.00\)[\s\S]*0\.75 s/,
    );
  });

  it('takes the middle of an even number of review times', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
