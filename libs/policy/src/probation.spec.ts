import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DecisionProposedData } from '@hitl/contracts';
import { loadManifest } from './manifest';
import { AutonomyProfile, autonomyProfile, autonomyWidening, graduates, probationReason } from './probation';
import { route } from './route';

const refunds = readFileSync(join(__dirname, '../../../manifests/refunds.yaml'), 'utf8');
const profile = (yaml: string, action = 'process_refund'): AutonomyProfile => autonomyProfile(loadManifest(yaml).actions.get(action)!);
const before = profile(refunds);

describe('probation: what widens an action’s autonomy', () => {
  it.each<[string, (yaml: string) => string, string[]]>([
    ['nothing changed', (y) => y, []],
    [
      'a lower auto-approve confidence',
      (y) => y.replace('auto_approve_confidence: 0.97', 'auto_approve_confidence: 0.9'),
      ['auto_approve_confidence 0.97 → 0.9'],
    ],
    ['a higher one narrows', (y) => y.replace('auto_approve_confidence: 0.97', 'auto_approve_confidence: 0.99'), []],
    ['a higher amount auto-approved', (y) => y.replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 80'), ['auto_approve_below_usd 50 → 80']],
    ['a higher ceiling', (y) => y.replace('always_approve_above_usd: 500', 'always_approve_above_usd: 900'), ['always_approve_above_usd 500 → 900']],
    [
      'an escalation rule dropped',
      (y) => y.replace('      - { field: context.policy_conflict, equals: true }\n', ''),
      ['escalate_when rule removed: {"equals":true,"field":"context.policy_conflict"}'],
    ],
    [
      'an escalation rule added narrows',
      (y) => y.replace('    escalate_when:\n', '    escalate_when:\n      - { field: parameters.rush, equals: true }\n'),
      [],
    ],
    ['a lower escalation threshold', (y) => y.replace('escalate_confidence: 0.60 }', 'escalate_confidence: 0.5 }'), ['escalate_confidence 0.6 → 0.5']],
    [
      'approved before → reviewed after',
      (y) => y.replace('    reversible: false\n    approval_required: true\n', '    reversible: true\n    mode: review_after\n'),
      ['mode approve_before → review_after'],
    ],
  ])('%s', (_name, edit, widened) => {
    const after = profile(edit(refunds));
    expect(autonomyWidening(before, after)).toEqual(widened);
  });

  it.each<[string, AutonomyProfile | null, string | null]>([
    ['new to the workspace’s manifest', null, 'new to the manifest of acme-support'],
    ['unchanged', before, null],
    [
      'widened',
      { ...before, auto_approve_confidence: 0.99, required_approvals: 2 },
      'its manifest entry widened its autonomy: auto_approve_confidence 0.99 → 0.97; required_approvals 2 → 1',
    ],
  ])('the reason of %s', (_name, was, reason) => {
    expect(probationReason(was, before, 'acme-support')).toBe(reason);
  });
});

describe('probation: graduation', () => {
  it.each([
    ['not enough approved unchanged yet', 49, 49, false],
    ['exactly enough, all unchanged', 50, 50, true],
    ['enough, at 96%', 52, 50, true],
    ['enough unchanged, but too many changed or denied (91%)', 55, 50, false],
  ])('%s', (_name, reviewed, unchanged, graduated) => {
    expect(graduates({ decisions: 50, approved_unchanged_rate: 0.95, reviewed, approved_unchanged: unchanged })).toBe(graduated);
  });
});

describe('route: an action on probation goes to a person', () => {
  const manifest = loadManifest(refunds);
  const proposal = (over: Partial<DecisionProposedData>): DecisionProposedData => ({
    decision_id: '6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e',
    agent: { id: 'refund-bot' },
    action: 'process_refund',
    parameters: { order_id: 'A-1', amount_usd: 120 },
    confidence: 0.99,
    confidence_basis: 'x',
    uncertainty_factors: [],
    recommended_review: false,
    summary: 'Refund.',
    ...over,
  });
  const probation = {
    id: 'p-1',
    reason: 'new to the manifest of acme-support',
    decisions: 50,
    approved_unchanged_rate: 0.95,
    reviewed: 13,
    approved_unchanged: 12,
  };

  it('even at confidence 0.99, and the trace says how far it is', () => {
    const routing = route(proposal({}), manifest, new Date('2026-12-04T10:00:00Z'), { signed: true, probation });
    expect(routing.verdict).toBe('human_review');
    expect(routing.reasons.at(-1)).toEqual({
      rule: 'probation',
      detail:
        'on probation (12 of 50): new to the manifest of acme-support; every decision goes to a person until 50 reviewed decisions are approved unchanged at 95% or better (13 reviewed so far)',
    });
  });

  it.each<[string, Partial<DecisionProposedData>, string]>([
    ['below the auto-approve amount', { parameters: { order_id: 'A', amount_usd: 10 } }, 'human_review'],
    ['an escalation trigger still escalates', { parameters: { order_id: 'A', amount_usd: 10, customer_tier: 'enterprise' } }, 'escalate'],
    ['an unknown action is blocked as unknown', { action: 'wire_money' }, 'block'],
  ])('%s', (_name, over, verdict) => {
    expect(route(proposal(over), manifest, new Date(), { signed: true, probation }).verdict).toBe(verdict);
  });
});
