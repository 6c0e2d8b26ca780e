// The worked example's numbers ("the agent handles 95% of volume with a human touching
// 30% of dollars"), computed from what the agent actually received: one record per
// decision it proposed, with the resolution that came back. Pure: no I/O, no clock.

/** What the agent knows about one of its decisions once it is resolved. */
export interface ResolvedRecord {
  decision_id: string;
  action: string;
  /** The amount the agent proposed (before any reviewer edit); null when it had none. */
  amount_usd: number | null;
  proposed_at_ms: number;
  resolved_at_ms: number;
  resolution: {
    status: 'approved' | 'denied' | 'blocked' | 'expired';
    resolved_by: { kind: 'policy' | 'reviewer' | 'timeout'; id: string };
    edited: boolean;
    reasons: { rule: string; detail: string }[];
  };
}

export interface Tally {
  /** Decisions resolved (the denominator of every share). */
  resolved: number;
  /** Resolved by policy, no human involved (auto-approved or blocked). */
  agentAlone: number;
  agentAloneShare: number;
  autoApproved: number;
  /** Decided by a reviewer. */
  reviews: number;
  /** Went to review on the escalate route (an `escalate` reason). */
  escalations: number;
  timeouts: number;
  blocks: number;
  approved: number;
  denied: number;
  edited: number;
  expired: number;
  dollars: number;
  /** Dollars of decisions a human touched (resolved by a reviewer or by a review timeout). */
  humanDollars: number;
  humanDollarShare: number;
  /** Median time from proposal to a reviewer's resolution, in ms; null without reviews. */
  medianReviewMs: number | null;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const share = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

export function tally(records: readonly ResolvedRecord[]): Tally {
  let agentAlone = 0;
  let autoApproved = 0;
  let reviews = 0;
  let escalations = 0;
  let timeouts = 0;
  let blocks = 0;
  let approved = 0;
  let denied = 0;
  let edited = 0;
  let expired = 0;
  let dollars = 0;
  let humanDollars = 0;
  const reviewMs: number[] = [];
  for (const record of records) {
    const { status, resolved_by, reasons } = record.resolution;
    const amount = record.amount_usd !== null && Number.isFinite(record.amount_usd) && record.amount_usd > 0 ? record.amount_usd : 0;
    dollars += amount;
    if (status === 'approved') approved += 1;
    if (status === 'denied') denied += 1;
    if (status === 'blocked') blocks += 1;
    if (status === 'expired') expired += 1;
    if (record.resolution.edited) edited += 1;
    if (reasons.some((r) => r.rule === 'escalate')) escalations += 1;
    switch (resolved_by.kind) {
      case 'policy':
        agentAlone += 1;
        if (status === 'approved') autoApproved += 1;
        break;
      case 'reviewer':
        reviews += 1;
        humanDollars += amount;
        reviewMs.push(Math.max(0, record.resolved_at_ms - record.proposed_at_ms));
        break;
      case 'timeout':
        timeouts += 1;
        humanDollars += amount;
        break;
    }
  }
  const resolved = records.length;
  return {
    resolved,
    agentAlone,
    agentAloneShare: share(agentAlone, resolved),
    autoApproved,
    reviews,
    escalations,
    timeouts,
    blocks,
    approved,
    denied,
    edited,
    expired,
    dollars: Math.round(dollars * 100) / 100,
    humanDollars: Math.round(humanDollars * 100) / 100,
    humanDollarShare: share(humanDollars, dollars),
    medianReviewMs: median(reviewMs),
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const usd = (x: number): string => `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The tally as the demo prints it. */
export function formatTally(t: Tally): string {
  return [
    `  decisions resolved        ${t.resolved}`,
    `  handled by the agent alone ${pct(t.agentAloneShare)} of volume (${t.agentAlone}: ${t.autoApproved} auto-approved, ${t.blocks} blocked by policy)`,
    `  dollars touched by a human ${pct(t.humanDollarShare)} (${usd(t.humanDollars)} of ${usd(t.dollars)})`,
    `  reviews                    ${t.reviews} (${t.edited} edited, ${t.denied} denied), of which escalations ${t.escalations}`,
    `  timeouts                   ${t.timeouts}`,
    `  blocks                     ${t.blocks}`,
    `  median review time         ${t.medianReviewMs === null ? 'n/a' : `${(t.medianReviewMs / 1000).toFixed(2)} s`} (proposal to a reviewer's decision)`,
  ].join('\n');
}
