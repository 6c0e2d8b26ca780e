// What the demo adds to the committed configuration to show review quality, without changing
// it for anyone else: a rubber-stamping reviewer on the refunds desk, and canaries (known-answer
// items) in the refunds manifest (scripts/demo.ts writes both into files of its own), and the
// demo's walk-through of the calibration report's review quality.
import { randomUUID } from 'node:crypto';
import { HitlAgent, HitlAgentOptions } from '@hitl/agent-sdk';
import { ReviewQualityRow, ReviewQualitySection } from '@hitl/calibration';
import { seededRandom } from './refund-agent';
import { DeskReviewer, ReviewerDesk } from './reviewer-desk';

/** The rubber stamp: a support agent of acme-support who approves whatever reaches him within a fraction of a second. */
export const RUBBER_STAMP_ID = 'rev-hugo';

const RUBBER_STAMP_ENTRY = `  # The demo's rubber stamp: approves whatever reaches him within a fraction of a second;
  # the calibration report's review quality flags him.
  - id: ${RUBBER_STAMP_ID}
    name: Hugo Lambert
    roles: [support_agent]
    workspaces: [acme-support]
    token_env: REVIEWER_TOKEN_HUGO
`;

/** The reviewers file (config/reviewers.yaml) with the rubber stamp added to its list. */
export function withRubberStamp(reviewersYaml: string): string {
  if (!/^reviewers:\s*$/m.test(reviewersYaml)) throw new Error('the reviewers file has no top-level reviewers: list to add the rubber stamp to');
  return `${reviewersYaml.trimEnd()}\n${RUBBER_STAMP_ENTRY}`;
}

/**
 * Canaries for the refunds manifest (manifest v1.1 `canaries`), at a modest rate: each is a
 * refund a careful reviewer denies. None of them ever runs; answering one scores the reviewer.
 */
export const REFUND_CANARIES = `
# Known-answer items mixed into reviewers' queues to measure attention (never executed).
canaries:
  rate: 0.15
  items:
    - action: process_refund
      parameters: { order_id: ORD-118204, amount_usd: 4850, customer_tier: standard }
      confidence: 0.71
      summary: Refund the full order; the customer says the parcel never arrived.
      confidence_basis: the customer's message
      expected: deny
      why: the amount is ten times the order history of a standard customer, and nothing supports it
    - action: process_refund
      parameters: { order_id: ORD-120377, amount_usd: 2990, customer_tier: plus }
      confidence: 0.74
      summary: Refund a second time; the first refund did not show on the card.
      confidence_basis: the customer's message
      expected: deny
      why: a second refund of the same order on the customer's word alone
`;

/** The manifest text with the demo's canaries appended (the section is top-level). */
export function withCanaries(manifestYaml: string, canaries = REFUND_CANARIES): string {
  if (/^canaries:/m.test(manifestYaml)) return manifestYaml;
  return `${manifestYaml.trimEnd()}\n${canaries}`;
}

/** What the walk-through needs: the agent's connection, the desk, and where to ask for the report. */
export interface ReviewQualityWalkthroughOptions {
  agent: Pick<HitlAgentOptions, 'brokers' | 'ssl' | 'sasl' | 'signingKey' | 'trustedKeys' | 'topicPrefix'>;
  escalationUrl: string;
  calibratorUrl: string;
  auditorToken: string;
  /** The support agents of the desk (the rubber stamp among them). */
  reviewers: DeskReviewer[];
  /** How long the careful ones read an item before deciding, in ms. */
  thinkMs: [number, number];
  /** Refunds proposed for people to review (default 36). */
  refunds?: number;
  seed?: number;
}

/**
 * A busy stretch at the desk: the refund agent proposes refunds a support agent must decide
 * (over the $50 the manifest lets it do alone, at confidence under 0.97); the careful reviewers
 * open each and read it for seconds, the rubber stamp approves whatever reaches him within
 * 300 ms of opening it, and everybody answers the canaries the escalation service mixes in
 * without knowing them. Then a calibration report of the last day, and its review quality.
 */
export async function reviewQualityWalkthrough(options: ReviewQualityWalkthroughOptions, say: (line: string) => void = console.log): Promise<string[]> {
  const lines: string[] = [];
  const print = (line: string) => (lines.push(line), say(line));
  const random = seededRandom(options.seed ?? Date.now());
  const agent = new HitlAgent({ ...options.agent, clientId: 'refund-bot-review-quality', agentId: 'refund-bot', workspace: 'acme-support' });
  await agent.start();
  const proposals = new Map<string, Record<string, unknown>>();
  const desk = new ReviewerDesk({
    escalationUrl: options.escalationUrl,
    reviewers: options.reviewers,
    proposals,
    random,
    thinkMs: options.thinkMs,
    since: new Date(),
  });
  desk.start();
  const count = options.refunds ?? 36;
  try {
    const resolutions = Array.from({ length: count }, (_, i) => {
      const amount = Math.round((80 + 370 * random()) * 100) / 100;
      const proposal = {
        decision_id: randomUUID(),
        action: 'process_refund',
        parameters: { order_id: `ORD-${String(130000 + Math.floor(random() * 60000))}`, amount_usd: amount, customer_tier: 'standard' },
        confidence: Math.round((0.85 + 0.1 * random()) * 100) / 100,
        confidence_basis: 'photo of the damage matches the order',
        uncertainty_factors: ['amount above the usual for this category'],
        recommended_review: false,
        summary: `Refund $${amount.toFixed(2)} for a damaged item (ticket ${i + 1} of the afternoon rush).`,
      };
      proposals.set(proposal.decision_id, proposal.parameters);
      return agent.propose(proposal, { timeoutMs: 180_000 });
    });
    const settled = await Promise.allSettled(resolutions);
    const reviewed = settled.filter((s) => s.status === 'fulfilled' && s.value.resolved_by.kind === 'reviewer').length;
    print(
      `  ${count} refunds needing a person; ${reviewed} decided by the desk (${desk.stats.approved} approved, ${desk.stats.edited} edited, ${desk.stats.denied} denied, canaries included)`,
    );
  } finally {
    await desk.stop();
    await agent.stop();
  }
  // The calibrator consumes asynchronously: ask until it has seen the desk's decisions (at most ~30 s).
  const deskDecisions = desk.stats.approved + desk.stats.edited + desk.stats.denied;
  let section: ReviewQualitySection | undefined;
  for (let attempt = 0; attempt < 15; attempt++) {
    const res = await fetch(`${options.calibratorUrl}/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.auditorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ window_days: 1, workspace: 'acme-support' }),
    });
    if (res.status !== 201) throw new Error(`asking the calibrator for a report answered ${res.status}: ${await res.text()}`);
    section = ((await res.json()) as { review_quality: ReviewQualitySection }).review_quality;
    const answered = section.reviewers.reduce((n, r) => n + r.decided + r.canaries.answered, 0);
    if (answered >= deskDecisions) break;
    await new Promise((done) => setTimeout(done, 2000));
  }
  for (const line of reviewQualityLines(section?.reviewers ?? [])) print(line);
  return lines;
}

/** The report's review quality in a few lines: each reviewer, then why the flagged ones are. */
export function reviewQualityLines(reviewers: readonly ReviewQualityRow[]): string[] {
  if (reviewers.length === 0) return ['  no reviewer decided anything in the window'];
  const secs = (n: number | null) => (n === null ? '–' : `${n.toFixed(1)} s`);
  const pct = (n: number | null) => (n === null ? '–' : `${Math.round(n * 100)}%`);
  const canaries = (r: ReviewQualityRow) =>
    r.canaries.answered + r.canaries.missed === 0
      ? ''
      : `; canaries ${r.canaries.correct} of ${r.canaries.answered} right${r.canaries.missed ? `, ${r.canaries.missed} missed` : ''}`;
  return [
    ...reviewers.map(
      (r) =>
        `  ${r.rubber_stamp ? 'FLAGGED' : '       '} ${r.reviewer_id.padEnd(10)} ${String(r.decided).padStart(3)} decided, approved ${pct(r.approval_rate)}, edited ${pct(r.edit_rate)}, median ${secs(r.median_seconds_to_decide)} from opening to deciding (reading needs ${secs(r.median_seconds_to_read)}), ${r.decided_without_opening} unopened${canaries(r)}`,
    ),
    ...reviewers.filter((r) => r.rubber_stamp).map((r) => `  rubber stamp: ${r.reviewer_id}: ${r.reason}`),
  ];
}
