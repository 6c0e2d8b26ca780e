import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DecisionProposedData, Urgency, exampleDecision } from '@hitl/contracts';
import fc from 'fast-check';
import { ManifestError, loadManifest } from './manifest';
import { RepairAttempt } from './repair';
import { ActivePause, Verdict, raiseUrgency, route, sampledForPostReview } from './route';

const manifest = loadManifest(`
actions:
  process_refund:
    severity: high
    reversible: false
    approval_required: true
    approval_timeout_seconds: 900
    escalation_path: [support_agent, finance_lead]
    conditions: { auto_approve_below_usd: 50, always_approve_above_usd: 500 }
    thresholds: { auto_approve_confidence: 0.97, escalate_confidence: 0.6 }
    escalate_when:
      - { field: parameters.customer_tier, in: [enterprise, strategic] }
      - { field: context.policy_conflict, equals: true }
    parameters_schema: { type: object, required: [order_id, amount_usd], properties: { amount_usd: { type: number } } }
  issue_credit:
    severity: medium
    reversible: false
    approval_required: true
    amount_field: credit.value
    conditions: { auto_approve_below_usd: 20 }
  send_customer_email: { severity: high, reversible: false, approval_required: true }
  create_jira_ticket: { severity: low, reversible: true }
  delete_records: { severity: medium, reversible: false }
  provision_vm: { severity: high, reversible: true, rollback_window_seconds: 600, escalation_path: [ops, platform_lead] }
`);

const now = new Date('2026-11-22T09:00:00Z');
const minutes = (n: number) => new Date(now.getTime() + n * 60_000).toISOString();

function decision(overrides: Partial<DecisionProposedData> = {}): DecisionProposedData {
  return {
    ...structuredClone(exampleDecision),
    parameters: { order_id: 'ORD-1', amount_usd: 100, customer_tier: 'standard' },
    confidence: 0.9,
    uncertainty_factors: [],
    recommended_review: false,
    context: {},
    urgency: 'normal',
    ...overrides,
  };
}

type Case = [name: string, overrides: Partial<DecisionProposedData>, verdict: Verdict, decidingRule: string];

// Each step of manifest.md's routing order, and which step wins when several apply.
const cases: Case[] = [
  ['1. an unknown action is blocked', { action: 'wire_money', confidence: 1 }, 'block', 'unknown_action'],
  ['2. parameters failing the schema are blocked', { parameters: { amount_usd: 10 }, confidence: 1 }, 'block', 'parameters_invalid'],
  ['2. ...even with an amount that would auto-approve', { parameters: { order_id: 'A', amount_usd: '10' }, confidence: 1 }, 'block', 'parameters_invalid'],
  ['3. autonomous actions run', { action: 'create_jira_ticket', parameters: {}, confidence: 0.1, recommended_review: true }, 'auto_approve', 'mode_autonomous'],
  ['3. log_and_alert actions run', { action: 'delete_records', parameters: {}, confidence: 0.1 }, 'auto_approve', 'mode_log_and_alert'],
  ['3. review_after actions run, reviewed after', { action: 'provision_vm', parameters: {}, confidence: 0.1 }, 'auto_approve', 'mode_review_after'],
  ['4. above the ceiling a human decides', { parameters: { order_id: 'A', amount_usd: 501 }, confidence: 0.99 }, 'human_review', 'amount_above_ceiling'],
  [
    '4. ...and an escalation trigger still escalates it (the $600 enterprise refund at 0.2 goes up a tier)',
    { parameters: { order_id: 'A', amount_usd: 600, customer_tier: 'enterprise' }, confidence: 0.2 },
    'escalate',
    'escalate',
  ],
  ['4. ...and low confidence alone escalates it too', { parameters: { order_id: 'A', amount_usd: 600 }, confidence: 0.2 }, 'escalate', 'escalate'],
  [
    '4. above the ceiling even the top confidence asks a human',
    { parameters: { order_id: 'A', amount_usd: 600 }, confidence: 1 },
    'human_review',
    'amount_above_ceiling',
  ],
  [
    '4. an amount missing goes to a human',
    { action: 'issue_credit', parameters: { credit: { currency: 'USD' } }, confidence: 0.99 },
    'human_review',
    'amount_missing',
  ],
  [
    '4. an amount that is not a number is missing',
    { action: 'issue_credit', parameters: { credit: { value: '5' } }, confidence: 0.99 },
    'human_review',
    'amount_missing',
  ],
  [
    '5. an escalate_when rule escalates',
    { parameters: { order_id: 'A', amount_usd: 100, customer_tier: 'strategic' }, confidence: 0.99 },
    'escalate',
    'escalate',
  ],
  [
    '5. ...even below the auto-approve amount',
    { parameters: { order_id: 'A', amount_usd: 10, customer_tier: 'enterprise' }, confidence: 0.99 },
    'escalate',
    'escalate',
  ],
  ['5. a context flag escalates', { context: { policy_conflict: true }, confidence: 0.99 }, 'escalate', 'escalate'],
  ['5. low confidence escalates', { confidence: 0.59 }, 'escalate', 'escalate'],
  ['5. ...even below the auto-approve amount', { parameters: { order_id: 'A', amount_usd: 5 }, confidence: 0.3 }, 'escalate', 'escalate'],
  ['5. too many uncertainty factors escalate', { uncertainty_factors: ['a', 'b', 'c'], confidence: 0.99 }, 'escalate', 'escalate'],
  ['5. exactly the maximum does not', { uncertainty_factors: ['a', 'b'], confidence: 0.99 }, 'auto_approve', 'confidence_auto_approve'],
  [
    '6. below the auto-approve amount it runs',
    { parameters: { order_id: 'A', amount_usd: 49.99 }, confidence: 0.61 },
    'auto_approve',
    'amount_below_auto_approve',
  ],
  [
    '6. ...unless the agent asks for a human',
    { parameters: { order_id: 'A', amount_usd: 10 }, confidence: 0.99, recommended_review: true },
    'human_review',
    'human_review',
  ],
  ['6. exactly the auto-approve amount is not below it', { parameters: { order_id: 'A', amount_usd: 50 }, confidence: 0.9 }, 'human_review', 'human_review'],
  ['7. confidence at the threshold runs', { confidence: 0.97 }, 'auto_approve', 'confidence_auto_approve'],
  ['7. ...unless the agent asks for a human', { confidence: 0.99, recommended_review: true }, 'human_review', 'human_review'],
  ['8. otherwise a human decides', { confidence: 0.96 }, 'human_review', 'human_review'],
  ['8. at the escalation threshold it is not escalated', { confidence: 0.6 }, 'human_review', 'human_review'],
  [
    '7. an action with no amount rules uses confidence',
    { action: 'send_customer_email', parameters: { to: 'x' }, confidence: 0.95 },
    'auto_approve',
    'confidence_auto_approve',
  ],
];

describe('route: the routing order, first match wins', () => {
  it.each(cases)('%s', (_name, overrides, verdict, decidingRule) => {
    const routing = route(decision(overrides), manifest, now);
    expect(routing.verdict).toBe(verdict);
    expect(routing.reasons.at(-1)?.rule).toBe(decidingRule);
    expect(routing.manifestVersion).toBe(manifest.version);
    // A human is asked exactly when the verdict needs one.
    expect(routing.approval !== null).toBe(verdict === 'human_review' || verdict === 'escalate');
  });

  it('leaves a plain-words reason for every step it took', () => {
    const routing = route(decision({ confidence: 0.96 }), manifest, now);
    expect(routing.reasons.map((r) => r.rule)).toEqual([
      'action',
      'parameters',
      'amount_ceiling',
      'escalation_triggers',
      'confidence_below_auto_approve',
      'human_review',
    ]);
    expect(routing.reasons.find((r) => r.rule === 'amount_ceiling')!.detail).toBe('amount 100 is not above 500');
    expect(routing.reasons.find((r) => r.rule === 'confidence_below_auto_approve')!.detail).toBe('confidence 0.96 is below the auto-approve threshold 0.97');
  });

  it('human review starts at the first tier; its deadline is the sooner of its SLA and its share of the time before expiry', () => {
    const routing = route(decision({ confidence: 0.9, urgency: 'normal' }), manifest, now);
    expect(routing.approval).toEqual({
      route: 'human_review',
      reviewer_role: 'support_agent',
      escalation_path: ['support_agent', 'finance_lead'],
      urgency: 'normal',
      // A 60-minute SLA, but two tiers share 15 minutes: the finance lead is offered it at 7.5.
      sla_deadline: minutes(7.5),
      expires_at: minutes(15),
      on_timeout: 'deny',
      required_approvals: 1,
      rollback_window_seconds: null,
      tier_deadlines: [
        { role: 'support_agent', until: minutes(7.5) },
        { role: 'finance_lead', until: minutes(15) },
      ],
    });
  });

  it('escalation starts at the second tier with the urgency raised one level', () => {
    const routing = route(decision({ confidence: 0.3, urgency: 'normal' }), manifest, now);
    expect(routing.approval).toMatchObject({
      route: 'escalate',
      reviewer_role: 'finance_lead',
      escalation_path: ['finance_lead'],
      urgency: 'high',
      sla_deadline: minutes(15),
    });
  });

  it('escalation with a single tier stays there; critical stays critical', () => {
    const routing = route(decision({ action: 'send_customer_email', parameters: {}, confidence: 0.1, urgency: 'critical' }), manifest, now);
    expect(routing.approval).toMatchObject({ reviewer_role: 'reviewer', escalation_path: ['reviewer'], urgency: 'critical', sla_deadline: minutes(5) });
    expect(raiseUrgency('low')).toBe('normal');
  });

  it('review_after asks for a post review with the rollback window and no expiry', () => {
    const routing = route(decision({ action: 'provision_vm', parameters: {}, urgency: 'high' }), manifest, now);
    expect(routing.postReview).toEqual({
      route: 'post_review',
      reviewer_role: 'ops',
      escalation_path: ['ops', 'platform_lead'],
      urgency: 'high',
      sla_deadline: minutes(15),
      expires_at: null,
      on_timeout: 'deny',
      required_approvals: 1,
      rollback_window_seconds: 600,
      // Nothing expires: each tier has its SLA.
      tier_deadlines: [
        { role: 'ops', until: minutes(15) },
        { role: 'platform_lead', until: minutes(30) },
      ],
    });
  });

  it('log_and_alert raises an alert; autonomous does not', () => {
    expect(route(decision({ action: 'delete_records', parameters: {} }), manifest, now).alert).toBe(true);
    expect(route(decision({ action: 'create_jira_ticket', parameters: {} }), manifest, now).alert).toBe(false);
  });
});

// An unsigned proposal (admitted by a sandbox workspace): every auto-approval becomes a
// human review at the first tier; what would be reviewed, escalated or blocked stays so.
const unsignedCases: Case[] = [
  ['an unknown action is still blocked', { action: 'wire_money', confidence: 1 }, 'block', 'unknown_action'],
  ['parameters failing the schema are still blocked', { parameters: { amount_usd: 10 }, confidence: 1 }, 'block', 'parameters_invalid'],
  ['an autonomous action goes to a human', { action: 'create_jira_ticket', parameters: {}, confidence: 1 }, 'human_review', 'unsigned_agent'],
  ['a log_and_alert action goes to a human', { action: 'delete_records', parameters: {}, confidence: 1 }, 'human_review', 'unsigned_agent'],
  ['a review_after action goes to a human before it runs', { action: 'provision_vm', parameters: {}, confidence: 1 }, 'human_review', 'unsigned_agent'],
  ['below the auto-approve amount it goes to a human', { parameters: { order_id: 'A', amount_usd: 10 }, confidence: 0.9 }, 'human_review', 'unsigned_agent'],
  ['confidence at the threshold goes to a human', { confidence: 0.99 }, 'human_review', 'unsigned_agent'],
  [
    'above the ceiling a human decides, as when signed',
    { parameters: { order_id: 'A', amount_usd: 501 }, confidence: 0.99 },
    'human_review',
    'amount_above_ceiling',
  ],
  [
    'an escalation trigger still escalates',
    { parameters: { order_id: 'A', amount_usd: 10, customer_tier: 'enterprise' }, confidence: 0.99 },
    'escalate',
    'escalate',
  ],
  ['below the auto-approve confidence a human decides, as when signed', { confidence: 0.9 }, 'human_review', 'human_review'],
];

// An operator's pause (the kill switch): with effect review, every auto-approval becomes a
// human review at the first tier, as for an unsigned proposal; with effect block, whatever
// the manifest would do, it is blocked. An unknown action is blocked either way.
const reviewPause: ActivePause = {
  id: 'p-1',
  effect: 'review',
  reason: 'refunds doubled after the deploy',
  paused_by: 'rev-grace',
  covers: 'agent refund-bot',
};
const pausedCases: [string, Partial<typeof reviewPause>, Partial<DecisionProposedData>, Verdict, string][] = [
  ['confidence 0.99 goes to a person', {}, { confidence: 0.99 }, 'human_review', 'paused'],
  ['below the auto-approve amount it goes to a person', {}, { parameters: { order_id: 'A', amount_usd: 10 }, confidence: 0.9 }, 'human_review', 'paused'],
  ['an autonomous action goes to a person', {}, { action: 'create_jira_ticket', parameters: {}, confidence: 1 }, 'human_review', 'paused'],
  ['a review_after action goes to a person before it runs', {}, { action: 'provision_vm', parameters: {}, confidence: 1 }, 'human_review', 'paused'],
  [
    'an escalation trigger still escalates',
    {},
    { parameters: { order_id: 'A', amount_usd: 10, customer_tier: 'enterprise' }, confidence: 0.99 },
    'escalate',
    'escalate',
  ],
  ['a blocking pause blocks what would run alone', { effect: 'block' }, { confidence: 0.99 }, 'block', 'paused'],
  ['a blocking pause blocks what a person would review', { effect: 'block' }, { confidence: 0.7 }, 'block', 'paused'],
  ['an unknown action is blocked as unknown', {}, { action: 'wire_money', confidence: 1 }, 'block', 'unknown_action'],
];

describe('route: a paused agent, action or workspace gets no autonomy', () => {
  it.each(pausedCases)('%s', (_name, pause, overrides, verdict, decidingRule) => {
    const routing = route(decision(overrides), manifest, now, { signed: true, pause: { ...reviewPause, ...pause } });
    expect(routing.verdict).toBe(verdict);
    expect(routing.reasons.at(-1)?.rule).toBe(decidingRule);
    expect(routing.postReview).toBeNull();
    expect(routing.alert).toBe(false);
  });

  it('says who paused what and why, in the trace', () => {
    const routing = route(decision({ confidence: 0.99 }), manifest, now, { signed: true, pause: reviewPause });
    expect(routing.reasons.slice(-2)).toEqual([
      { rule: 'confidence_auto_approve', detail: 'confidence 0.99 is at or above 0.97' },
      {
        rule: 'paused',
        detail: 'agent refund-bot paused by rev-grace (pause p-1): refunds doubled after the deploy; a person reviews what it covers until it is resumed',
      },
    ]);
    expect(route(decision({ confidence: 0.99 }), manifest, now, { signed: true, pause: { ...reviewPause, effect: 'block' } }).reasons.at(-1)).toEqual({
      rule: 'paused',
      detail: 'agent refund-bot paused by rev-grace (pause p-1): refunds doubled after the deploy; proposals it covers are blocked until it is resumed',
    });
  });
});

describe('route: an unsigned proposal gets no autonomy', () => {
  it.each(unsignedCases)('%s', (_name, overrides, verdict, decidingRule) => {
    const routing = route(decision(overrides), manifest, now, { signed: false });
    expect(routing.verdict).toBe(verdict);
    expect(routing.reasons.at(-1)?.rule).toBe(decidingRule);
    expect(routing.approval !== null).toBe(verdict === 'human_review' || verdict === 'escalate');
    expect(routing.postReview).toBeNull();
    expect(routing.alert).toBe(false);
  });

  it('says why, after the step that would have approved it, and asks the first tier as a human review would', () => {
    const routing = route(decision({ parameters: { order_id: 'A', amount_usd: 10 }, confidence: 0.9, urgency: 'normal' }), manifest, now, { signed: false });
    expect(routing.reasons.slice(-2)).toEqual([
      { rule: 'amount_below_auto_approve', detail: 'amount 10 is below 50' },
      { rule: 'unsigned_agent', detail: 'unsigned proposal: a workspace that admits unsigned agents gets no autonomy' },
    ]);
    expect(routing.approval).toEqual(route(decision({ confidence: 0.9, urgency: 'normal' }), manifest, now).approval);
  });

  it('is never approved by waiting out the reviewer, even where the manifest allows on_timeout: approve', () => {
    const lenient = loadManifest(`
actions:
  tag_ticket: { severity: low, reversible: true, on_timeout: approve }
`);
    const proposal = decision({ action: 'tag_ticket', parameters: {} });
    expect(route(proposal, lenient, now).verdict).toBe('auto_approve');
    const routing = route(proposal, lenient, now, { signed: false });
    expect(routing.verdict).toBe('human_review');
    expect(routing.approval).toMatchObject({ route: 'human_review', on_timeout: 'deny' });
  });

  it('a signed proposal routes as before (the default)', () => {
    for (const [, overrides] of cases) {
      expect(route(decision(overrides), manifest, now, { signed: true })).toEqual(route(decision(overrides), manifest, now));
    }
  });
});

describe('the seed 001 ESCALATION_TRIGGERS, written as escalate_when', () => {
  const triggers = loadManifest(`
actions:
  process_refund:
    severity: high
    reversible: false
    approval_required: true
    thresholds: { escalate_confidence: 0.7, auto_approve_confidence: 0.9 }   # confidence_below: 0.7
    max_uncertainty_factors: 10
    escalate_when:
      - { field: parameters.amount_usd, gt: 10000 }                         # amount_exceeds: 10000
      - { field: parameters.customer_tier, in: [enterprise, strategic] }    # customer_tier
      - { field: context.policy_conflict, equals: true }                    # policy_conflict: True
      - { field: context.no_matching_precedent, equals: true }              # no_matching_precedent: True
`);
  const calm = (o: Partial<DecisionProposedData> = {}) =>
    decision({ parameters: { order_id: 'A', amount_usd: 900, customer_tier: 'smb' }, confidence: 0.95, context: {}, ...o });

  it.each([
    ['confidence_below 0.7', { confidence: 0.69 }],
    ['amount_exceeds 10000', { parameters: { order_id: 'A', amount_usd: 10_000.01, customer_tier: 'smb' } }],
    ['customer_tier enterprise', { parameters: { order_id: 'A', amount_usd: 900, customer_tier: 'enterprise' } }],
    ['customer_tier strategic', { parameters: { order_id: 'A', amount_usd: 900, customer_tier: 'strategic' } }],
    ['policy_conflict', { context: { policy_conflict: true } }],
    ['no_matching_precedent', { context: { no_matching_precedent: true } }],
  ])('%s escalates', (_name, overrides) => {
    expect(route(calm(overrides), triggers, now).verdict).toBe('escalate');
  });

  it('none of them: no escalation', () => {
    expect(route(calm({ parameters: { order_id: 'A', amount_usd: 10_000, customer_tier: 'smb' }, confidence: 0.7 }), triggers, now).verdict).toBe(
      'human_review',
    );
    expect(route(calm(), triggers, now).verdict).toBe('auto_approve');
  });
});

describe('properties', () => {
  const anyDecision = fc.record({
    action: fc.constantFrom('process_refund', 'issue_credit', 'send_customer_email', 'create_jira_ticket', 'delete_records', 'provision_vm'),
    amount: fc.double({ min: 0, max: 5000, noNaN: true }),
    tier: fc.constantFrom('standard', 'enterprise', 'strategic', 'smb'),
    confidence: fc.double({ min: 0, max: 1, noNaN: true }),
    factors: fc.array(fc.string(), { maxLength: 4 }),
    recommended: fc.boolean(),
    conflict: fc.boolean(),
    urgency: fc.constantFrom<Urgency>('low', 'normal', 'high', 'critical'),
  });
  type Drawn = typeof anyDecision extends fc.Arbitrary<infer T> ? T : never;
  const toDecision = (d: Drawn) =>
    decision({
      action: d.action,
      parameters: { order_id: 'A', amount_usd: d.amount, customer_tier: d.tier, credit: { value: d.amount } },
      confidence: d.confidence,
      uncertainty_factors: d.factors,
      recommended_review: d.recommended,
      context: { policy_conflict: d.conflict },
      urgency: d.urgency,
    });

  it('an unknown action is always blocked', () => {
    fc.assert(
      fc.property(
        anyDecision,
        fc.string().filter((a) => !manifest.actions.has(a)),
        (d, action) => {
          expect(route({ ...toDecision(d), action }, manifest, now).verdict).toBe('block');
        },
      ),
    );
  });

  it('an amount above always_approve_above_usd is never auto-approved, whatever else is true', () => {
    fc.assert(
      fc.property(anyDecision, fc.double({ min: 500.000001, max: 1e9, noNaN: true }), (d, amount) => {
        const routed = route(toDecision({ ...d, action: 'process_refund', amount }), manifest, now);
        expect(routed.verdict).not.toBe('auto_approve');
      }),
    );
  });

  it('an unsigned proposal is never approved without a person, and is blocked or escalated exactly when a signed one would be', () => {
    fc.assert(
      fc.property(anyDecision, (d) => {
        const signed = route(toDecision(d), manifest, now);
        const unsigned = route(toDecision(d), manifest, now, { signed: false });
        expect(unsigned.verdict).not.toBe('auto_approve');
        expect(unsigned.postReview).toBeNull();
        expect(unsigned.verdict).toBe(signed.verdict === 'auto_approve' ? 'human_review' : signed.verdict);
      }),
    );
  });

  it('raising confidence, all else equal, never makes an outcome less autonomous', () => {
    const autonomy: Record<Verdict, number> = { block: -1, escalate: 0, human_review: 1, auto_approve: 2 };
    fc.assert(
      fc.property(anyDecision, fc.double({ min: 0, max: 1, noNaN: true }), (d, other) => {
        const [low, high] = [Math.min(d.confidence, other), Math.max(d.confidence, other)];
        const before = route(toDecision({ ...d, confidence: low }), manifest, now).verdict;
        const after = route(toDecision({ ...d, confidence: high }), manifest, now).verdict;
        expect(autonomy[after]).toBeGreaterThanOrEqual(autonomy[before]);
      }),
    );
  });

  it('on_timeout: approve never validates on a high-severity or irreversible action', () => {
    fc.assert(
      fc.property(fc.constantFrom('low', 'medium', 'high', 'critical'), fc.boolean(), fc.boolean(), (severity, reversible, viaDefaults) => {
        fc.pre(!(severity === 'low' && reversible));
        const yaml = viaDefaults
          ? `defaults: { on_timeout: approve }\nactions:\n  a: { severity: ${severity}, reversible: ${reversible} }\n`
          : `actions:\n  a: { severity: ${severity}, reversible: ${reversible}, on_timeout: approve }\n`;
        expect(() => loadManifest(yaml)).toThrow(ManifestError);
      }),
    );
    expect(loadManifest('actions:\n  a: { severity: low, reversible: true, on_timeout: approve }\n').actions.get('a')!.onTimeout).toBe('approve');
  });
});

describe('post-review sampling', () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`);

  it('gives the same decision the same answer every time', () => {
    for (const id of ids.slice(0, 200)) {
      expect(sampledForPostReview(id, 0.98, 0.3, 0.97)).toBe(sampledForPostReview(id, 0.98, 0.3, 0.97));
    }
  });

  it('samples at the configured rate over the auto-approved band, more at low confidence', () => {
    const t = 0.9;
    const confidence = (i: number) => t + ((1 - t) * (i % 1000)) / 1000;
    const sampled = ids.filter((id, i) => sampledForPostReview(id, confidence(i), 0.05, t));
    expect(sampled.length / ids.length).toBeGreaterThan(0.04);
    expect(sampled.length / ids.length).toBeLessThan(0.06);
    const lowHalf = sampled.filter((id) => confidence(ids.indexOf(id)) < t + (1 - t) / 2).length;
    expect(lowHalf / sampled.length).toBeGreaterThan(0.65);
  });

  it('never samples at rate 0; always at rate 1 below the threshold', () => {
    expect(ids.slice(0, 500).some((id) => sampledForPostReview(id, 0.1, 0, 0.9))).toBe(false);
    expect(ids.slice(0, 500).every((id) => sampledForPostReview(id, 0.5, 1, 0.9))).toBe(true);
  });

  it('adds a post_review request to an auto-approval it samples', () => {
    const sampling = loadManifest('actions:\n  a: { severity: high, reversible: false, approval_required: true, post_review_sample_rate: 1 }\n');
    const routing = route(decision({ action: 'a', parameters: {}, confidence: 0.96 }), sampling, now);
    expect(routing.verdict).toBe('auto_approve');
    expect(routing.postReview).toMatchObject({ route: 'post_review', expires_at: null });
    expect(routing.reasons.at(-1)!.rule).toBe('post_review_sample');
  });
});

describe('the shipped refunds policy: above the ceiling the triggers still raise the tier', () => {
  const refunds = loadManifest(readFileSync(join(__dirname, '../../../manifests/refunds.yaml'), 'utf8'));
  const refund = (amount: number, extra: Partial<DecisionProposedData> = {}) =>
    decision({ action: 'process_refund', parameters: { order_id: 'ORD-1', amount_usd: amount }, confidence: 0.9, ...extra });
  // What a reviewer's edit runs: the same routing on the edited parameters, without the agent's request for review.
  const edited = (from: DecisionProposedData, amount: number) =>
    route({ ...from, parameters: { ...from.parameters, amount_usd: amount }, recommended_review: false }, refunds, now);

  it.each<[string, DecisionProposedData, Verdict, string | null]>([
    ['$80 at 0.9: a support agent decides', refund(80), 'human_review', 'support_agent'],
    ['$600 at 0.9: above the ceiling, a support agent decides', refund(600), 'human_review', 'support_agent'],
    [
      '$600 for an enterprise customer at 0.2: escalated to a finance lead',
      refund(600, { parameters: { order_id: 'ORD-1', amount_usd: 600, customer_tier: 'enterprise' }, confidence: 0.2 }),
      'escalate',
      'finance_lead',
    ],
    ['$1,000,000 at 0.99: a finance lead decides', refund(1_000_000, { confidence: 0.99 }), 'escalate', 'finance_lead'],
  ])('%s', (_name, proposal, verdict, role) => {
    const routing = route(proposal, refunds, now);
    expect([routing.verdict, routing.approval?.reviewer_role ?? null]).toEqual([verdict, role]);
  });

  it('an edit from $80 to $1,000,000 re-runs the routing and reaches the finance lead tier (the support agent holding it cannot approve it)', () => {
    const rerouted = edited(refund(80), 1_000_000);
    expect(rerouted.verdict).toBe('escalate');
    expect(rerouted.approval?.reviewer_role).toBe('finance_lead');
    expect(rerouted.reasons.at(-1)?.detail).toContain('parameters.amount_usd is 1000000 (rule: gt 5000)');
  });

  it('auto_approve_confidence: never keeps a confident proposal with a person; the amount rule still may approve', () => {
    const never = loadManifest(
      readFileSync(join(__dirname, '../../../manifests/refunds.yaml'), 'utf8').replace('auto_approve_confidence: 0.97', 'auto_approve_confidence: never'),
    );
    expect(route(refund(120, { confidence: 1 }), never, now)).toMatchObject({ verdict: 'human_review' });
    expect(route(refund(120, { confidence: 1 }), never, now).reasons.map((r) => r.rule)).toContain('confidence_never_auto_approves');
    expect(route(refund(20, { confidence: 0.9 }), never, now)).toMatchObject({ verdict: 'auto_approve' });
    // A threshold of 1 still passes confidence 1.
    const one = loadManifest(
      readFileSync(join(__dirname, '../../../manifests/refunds.yaml'), 'utf8').replace('auto_approve_confidence: 0.97', 'auto_approve_confidence: 1'),
    );
    expect(route(refund(120, { confidence: 1 }), one, now)).toMatchObject({ verdict: 'auto_approve' });
  });
});

describe('route: the repair loop (manifest v1.1 repair.max_attempts, default 2)', () => {
  const repairing = loadManifest(`
actions:
  process_refund:
    severity: high
    reversible: false
    approval_required: true
    escalation_path: [support_agent, finance_lead]
    conditions: { auto_approve_below_usd: 50 }
    parameters_schema: { type: object, required: [order_id, amount_usd], properties: { amount_usd: { type: number }, card_number: { type: string } } }
    redact: [parameters.card_number]
  strict_refund:
    severity: high
    reversible: false
    approval_required: true
    repair: { max_attempts: 0 }
    parameters_schema: { type: object, required: [order_id] }
  tag_ticket:
    severity: low
    reversible: true
    approval_required: true
    on_timeout: approve
    parameters_schema: { type: object, required: [tag] }
`);
  const bad = { order_id: 'A', amount_usd: '20', card_number: '4111' };
  const good = { order_id: 'A', amount_usd: 20, card_number: '4111' };
  const typeError = { field: 'parameters.amount_usd', rule: 'type', message: 'must be number' };
  /** Attempts the router recorded before this one, each sent back with the type error. */
  const earlier = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      decision_id: `00000000-0000-4000-8000-00000000000${i + 1}`,
      attempt: i + 1,
      parameters: { ...bad },
      errors: [typeError],
    }));

  type RepairCase = [
    name: string,
    overrides: Partial<DecisionProposedData>,
    history: { earlier: ReturnType<typeof earlier> } | { refused: string } | undefined,
    verdict: Verdict,
    decidingRule: string,
    sentBack: boolean,
    attemptsShown: number,
  ];
  const cases: RepairCase[] = [
    [
      'an agent that can repair gets the errors back (repair 1 of 2)',
      { parameters: bad, repairable: true },
      { earlier: [] },
      'block',
      'parameters_invalid',
      true,
      0,
    ],
    [
      '...and again on its first repair (repair 2 of 2)',
      { parameters: bad, repairable: true },
      { earlier: earlier(1) },
      'block',
      'parameters_invalid',
      true,
      0,
    ],
    [
      'after two repairs a person reviews the three attempts',
      { parameters: bad, repairable: true },
      { earlier: earlier(2) },
      'human_review',
      'repair_exhausted',
      false,
      3,
    ],
    ['an agent that cannot repair: a person reviews at once', { parameters: bad }, { earlier: [] }, 'human_review', 'repair_unavailable', false, 1],
    ['repairable: false is the same', { parameters: bad, repairable: false }, { earlier: [] }, 'human_review', 'repair_unavailable', false, 1],
    [
      'an agent that gives up mid-chain: a person reviews both attempts',
      { parameters: bad, repairable: false },
      { earlier: earlier(1) },
      'human_review',
      'repair_unavailable',
      false,
      2,
    ],
    [
      'max_attempts 0: a person at once, even for an agent that can repair',
      { action: 'strict_refund', parameters: {}, repairable: true },
      { earlier: [] },
      'human_review',
      'repair_exhausted',
      false,
      1,
    ],
    [
      'a repair that fixes the parameters routes as any proposal (auto-approved below $50)',
      { parameters: good, repairable: true },
      { earlier: earlier(1) },
      'auto_approve',
      'amount_below_auto_approve',
      false,
      2,
    ],
    [
      'a repair that fixes them but needs a person shows the earlier attempt',
      { parameters: { ...good, amount_usd: 120 } },
      { earlier: earlier(1) },
      'human_review',
      'human_review',
      false,
      2,
    ],
    [
      'a refused repair_of is blocked without errors to repair',
      { parameters: good, repairable: true },
      { refused: 'repair_of X is not a decision of agent "refund-bot"' },
      'block',
      'repair_refused',
      false,
      0,
    ],
    ['...even when the parameters are fine', { parameters: bad, repairable: true }, { refused: 'no' }, 'block', 'repair_refused', false, 0],
    [
      "without the router's records (a reviewer's edit) parameters that fail are blocked, as in v1",
      { parameters: bad, repairable: true },
      undefined,
      'block',
      'parameters_invalid',
      false,
      0,
    ],
    ['valid parameters outside a chain carry no attempts', { parameters: good }, { earlier: [] }, 'auto_approve', 'amount_below_auto_approve', false, 0],
  ];

  it.each(cases)('%s', (_name, overrides, history, verdict, decidingRule, sentBack, attemptsShown) => {
    const routing = route(decision({ confidence: 0.9, ...overrides }), repairing, now, { signed: true, repair: history });
    expect([routing.verdict, routing.reasons.at(-1)?.rule]).toEqual([verdict, decidingRule]);
    expect(routing.parameterErrors !== null).toBe(sentBack);
    expect(routing.repairAttempts?.length ?? 0).toBe(attemptsShown);
    expect(routing.approval !== null).toBe(verdict === 'human_review' || verdict === 'escalate');
  });

  it('sends back machine-readable errors and says which repair is expected', () => {
    const routing = route(decision({ parameters: { amount_usd: 'ten' }, repairable: true }), repairing, now, { signed: true, repair: { earlier: [] } });
    expect(routing.parameterErrors).toEqual([{ field: 'parameters.order_id', rule: 'required', message: "must have required property 'order_id'" }, typeError]);
    expect(routing.reasons.at(-1)!.detail).toBe(
      "parameters do not match the action's schema: parameters.order_id must have required property 'order_id' (required); parameters.amount_usd must be number (type); sent back to the agent to repair (repair 1 of 2)",
    );
  });

  it('a person sees every attempt side by side, oldest first, redacted, with each one’s errors in the trace', () => {
    const last = decision({ parameters: { ...bad, amount_usd: 'twenty' }, repairable: true, repair_of: earlier(2)[1].decision_id });
    const routing = route(last, repairing, now, { signed: true, repair: { earlier: earlier(2) } });
    expect(routing.repairAttempts).toEqual([
      { decision_id: earlier(2)[0].decision_id, attempt: 1, parameters: { order_id: 'A', amount_usd: '20', card_number: '[REDACTED]' }, errors: [typeError] },
      { decision_id: earlier(2)[1].decision_id, attempt: 2, parameters: { order_id: 'A', amount_usd: '20', card_number: '[REDACTED]' }, errors: [typeError] },
      { decision_id: last.decision_id, attempt: 3, parameters: { order_id: 'A', amount_usd: 'twenty', card_number: '[REDACTED]' }, errors: [typeError] },
    ]);
    expect(routing.reasons.map((r) => r.rule)).toEqual(['action', 'repair_of', 'parameters_invalid', 'repair_attempt', 'repair_attempt', 'repair_exhausted']);
    expect(routing.reasons[1].detail).toBe(
      `repairs decision ${earlier(2)[1].decision_id}: attempt 3 of the chain begun by decision ${earlier(2)[0].decision_id}`,
    );
    expect(routing.reasons[3].detail).toBe(`attempt 1 (decision ${earlier(2)[0].decision_id}): parameters.amount_usd must be number (type)`);
    expect(routing.approval).toMatchObject({ route: 'human_review', reviewer_role: 'support_agent' });
  });

  it('parameters that fail the schema are never approved by waiting out the reviewer, even where on_timeout: approve is allowed', () => {
    const routing = route(decision({ action: 'tag_ticket', parameters: {} }), repairing, now, { signed: true, repair: { earlier: [] } });
    expect(routing.verdict).toBe('human_review');
    expect(routing.approval?.on_timeout).toBe('deny');
    expect(
      route(decision({ action: 'tag_ticket', parameters: { tag: 'x' }, confidence: 0.99 }), repairing, now, { signed: true, repair: { earlier: [] } }).verdict,
    ).toBe('auto_approve');
  });

  it('an unsigned proposal is sent back as well, and goes to a person once repairs run out', () => {
    const unsigned = (n: number) => route(decision({ parameters: bad, repairable: true }), repairing, now, { signed: false, repair: { earlier: earlier(n) } });
    expect([unsigned(0).verdict, unsigned(0).parameterErrors !== null]).toEqual(['block', true]);
    expect([unsigned(2).verdict, unsigned(2).reasons.at(-1)!.rule]).toEqual(['human_review', 'repair_exhausted']);
  });

  it('the attempt count is the router’s: nothing in the message changes it', () => {
    // The agent cannot reset its count by what it writes: repair_of alone without the router's record of the chain is only a first attempt.
    const claimed = decision({ parameters: bad, repairable: true, repair_of: '00000000-0000-4000-8000-000000000009' });
    expect(route(claimed, repairing, now, { signed: true, repair: { earlier: earlier(2) } }).verdict).toBe('human_review');
  });

  it('a chain routed as a whole never sends back more than max_attempts times, whatever the agent does', () => {
    const byMax = Array.from({ length: 11 }, (_, max) =>
      loadManifest(
        `actions:\n  a: { severity: high, reversible: false, approval_required: true, repair: { max_attempts: ${max} }, parameters_schema: { type: object, required: [x] } }\n`,
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 14 }), (max, fixes) => {
        const m = byMax[max];
        const history: RepairAttempt[] = [];
        let sentBack = 0;
        for (const fixed of fixes) {
          const routing = route(decision({ action: 'a', parameters: fixed ? { x: 1 } : {}, repairable: true }), m, now, {
            signed: true,
            repair: { earlier: [...history] },
          });
          if (routing.parameterErrors === null) {
            // The chain ends: valid parameters route as usual, or a person reviews the failed ones.
            expect(fixed || routing.verdict === 'human_review').toBe(true);
            break;
          }
          sentBack += 1;
          history.push({
            decision_id: `00000000-0000-4000-8000-${String(sentBack).padStart(12, '0')}`,
            attempt: sentBack,
            parameters: {},
            errors: routing.parameterErrors,
          });
        }
        expect(sentBack).toBeLessThanOrEqual(max);
      }),
    );
  });
});
