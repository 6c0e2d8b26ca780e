// What the demo adds to the committed configuration to show review quality, without changing
// it for anyone else: a rubber-stamping reviewer on the refunds desk, and canaries (known-answer
// items) in the refunds manifest. scripts/demo.ts writes both into files of its own.

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
