import { DECISION_PROPOSED, DecisionProposedData, exampleDecision, exampleEvent } from '@hitl/contracts';
import { loadManifest, route } from '@hitl/policy';
import { formatRouting, parseDecisionInput } from './explain';

const now = new Date('2026-11-22T09:00:00Z');

describe('reading a decision file', () => {
  it.each<[string, unknown, object]>([
    // A whole event also says its workspace: in a manifest directory, it picks the manifest.
    ['a whole decision.proposed CloudEvent', exampleEvent(DECISION_PROPOSED), { workspace: exampleEvent(DECISION_PROPOSED).workspaceid }],
    ['the bare decision data', exampleDecision, {}],
  ])('accepts %s', (_name, json, extra) => {
    expect(parseDecisionInput(JSON.stringify(json))).toEqual({ ok: true, decision: exampleDecision, ...extra });
  });

  const event = exampleEvent(DECISION_PROPOSED);
  it.each<[string, string, string[]]>([
    ['text that is not JSON', '{"decision_id":', ['not valid JSON: ']],
    [
      'data with a bad and a missing field',
      JSON.stringify({ ...exampleDecision, confidence: 1.7, summary: undefined }),
      ['confidence: Too big: expected number to be <=1', 'summary: Invalid input: expected string, received undefined'],
    ],
    ['an array', '[]', ['(root): Invalid input: expected object, received array']],
    [
      'an event with bad data, by its path in the event',
      JSON.stringify({ ...event, data: { ...event.data, recommended_review: 'no' } }),
      ['data.recommended_review: Invalid input: expected boolean, received string'],
    ],
    [
      'an event whose subject is not its decision',
      JSON.stringify({ ...event, subject: '00000000-0000-4000-8000-000000000000' }),
      ['subject: subject must equal data.decision_id'],
    ],
    [
      'an event of another type',
      JSON.stringify(exampleEvent('hitl.approval.resolved.v1')),
      ['type: is "hitl.approval.resolved.v1", expected "hitl.decision.proposed.v1"'],
    ],
  ])('rejects %s, naming the fields', (_name, text, problems) => {
    const input = parseDecisionInput(text);
    expect(input.ok).toBe(false);
    const got = input.ok ? [] : input.problems;
    expect(got).toHaveLength(problems.length);
    problems.forEach((problem, i) => expect(got[i].startsWith(problem)).toBe(true));
  });
});

const manifest = loadManifest(`
actions:
  process_refund:
    severity: high
    reversible: false
    approval_timeout_seconds: 900
    escalation_path: [support_agent, finance_lead]
    conditions: { auto_approve_below_usd: 50, always_approve_above_usd: 500 }
  update_address:
    severity: high
    reversible: true
    rollback_window_seconds: 600
    escalation_path: [support_agent]
  close_ticket:
    severity: low
    reversible: false
`);

function explain(overrides: Partial<DecisionProposedData>): string[] {
  const decision = { ...exampleDecision, ...overrides };
  return formatRouting(route(decision, manifest, now), decision, now);
}

describe('explaining a routing', () => {
  it('shows the verdict, mode, version, the trace and the approval plan of a human review', () => {
    expect(explain({})).toEqual([
      'decision:         6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e (process_refund, agent refund-bot, confidence 0.82)',
      'evaluated at:     2026-11-22T09:00:00.000Z',
      'verdict:          human_review',
      'mode:             approve_before',
      `manifest version: ${manifest.version}`,
      'trace:',
      '  action: process_refund: severity high, irreversible, mode approve_before',
      '  parameters: the action declares no parameters schema',
      '  amount_ceiling: amount 129.50 is not above 500',
      '  escalation_triggers: none matched (confidence 0.82 ≥ 0.6, 1 uncertainty factors ≤ 2)',
      '  confidence_below_auto_approve: confidence 0.82 is below the auto-approve threshold 0.95',
      '  human_review: a support_agent decides',
      'approval plan:',
      '  route:              human_review',
      '  reviewer role:      support_agent',
      '  escalation path:    support_agent → finance_lead',
      '  urgency:            normal',
      // Two tiers share the 15 minutes: the support agent has half, the finance lead the rest.
      '  SLA deadline:       2026-11-22T09:07:30.000Z',
      '  expires at:         2026-11-22T09:15:00.000Z',
      '  on timeout:         deny',
      '  required approvals: 1',
      '  tier deadlines (if nobody acts):',
      '    1. support_agent until 2026-11-22T09:07:30.000Z',
      '    2. finance_lead until 2026-11-22T09:15:00.000Z',
    ]);
  });

  it('shows the post-review plan of a review_after action, with its rollback window', () => {
    const lines = explain({ action: 'update_address', parameters: { address: '1 Main St' } });
    expect(lines).toContain('verdict:          auto_approve');
    expect(lines).not.toContain('approval plan:');
    expect(lines.slice(lines.indexOf('post-review plan:'))).toEqual([
      'post-review plan:',
      '  route:              post_review',
      '  reviewer role:      support_agent',
      '  escalation path:    support_agent',
      '  urgency:            normal',
      '  SLA deadline:       2026-11-22T10:00:00.000Z',
      '  expires at:         none',
      '  on timeout:         deny',
      '  required approvals: 1',
      '  rollback window:    600 s',
      '  tier deadlines (if nobody acts):',
      '    1. support_agent until 2026-11-22T10:00:00.000Z',
    ]);
  });

  it.each<[string, Partial<DecisionProposedData>, string[], string[]]>([
    [
      'an escalation starts at the second tier, one urgency up',
      { confidence: 0.4 },
      [
        'verdict:          escalate',
        '  escalate: confidence 0.4 is below the escalation threshold 0.6',
        '  reviewer role:      finance_lead',
        '  urgency:            high',
      ],
      [],
    ],
    [
      'log_and_alert says operations are alerted',
      { action: 'close_ticket' },
      ['verdict:          auto_approve', 'mode:             log_and_alert', 'alert:            operations are alerted each time it runs'],
      ['approval plan:', 'post-review plan:'],
    ],
    [
      'an unknown action is blocked and has no mode',
      { action: 'wire_transfer' },
      [
        'verdict:          block',
        'mode:             (none: the action is not in the manifest)',
        '  unknown_action: "wire_transfer" is not an action of the manifest; unclassified actions are blocked',
      ],
      ['approval plan:', 'post-review plan:'],
    ],
    [
      'a small refund is auto-approved with no plan',
      { parameters: { order_id: 'ORD-1', amount_usd: 20 } },
      ['verdict:          auto_approve', '  amount_below_auto_approve: amount 20 is below 50'],
      ['approval plan:', 'post-review plan:'],
    ],
  ])('%s', (_name, overrides, present, absent) => {
    const lines = explain(overrides);
    for (const line of present) expect(lines).toContain(line);
    for (const line of absent) expect(lines).not.toContain(line);
  });
});
