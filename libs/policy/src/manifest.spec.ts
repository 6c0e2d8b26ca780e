import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManifestError, loadManifest, manifestVersion, modeFor } from './manifest';

const seedYaml = readFileSync(join(__dirname, '../../../manifests/seed-004.yaml'), 'utf8');

function issuesOf(yaml: string): string[] {
  try {
    loadManifest(yaml);
  } catch (error) {
    if (error instanceof ManifestError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

const refund = (extra: string) => `actions:
  process_refund:
    severity: high
    reversible: false
    approval_required: true
${extra}`;

describe('loading the manifest', () => {
  it('loads the seed 004 manifest verbatim, with defaults and modes filled in', () => {
    const manifest = loadManifest(seedYaml);
    expect([...manifest.actions.keys()]).toEqual(['send_customer_email', 'create_jira_ticket', 'process_refund', 'query_crm']);
    const refundPolicy = manifest.actions.get('process_refund')!;
    expect(refundPolicy).toMatchObject({
      mode: 'approve_before',
      approvalTimeoutSeconds: 900,
      autoApproveBelowUsd: 50,
      alwaysApproveAboveUsd: 500,
      amountField: 'amount_usd',
      onTimeout: 'deny',
      escalationPath: ['reviewer'],
      autoApproveConfidence: 0.95,
      escalateConfidence: 0.6,
      maxUncertaintyFactors: 2,
      requiredApprovals: 1,
      slaMinutes: { low: 240, normal: 60, high: 15, critical: 5 },
    });
    expect(manifest.actions.get('send_customer_email')!.escalationPath).toEqual(['primary_reviewer', 'team_lead']);
    expect(manifest.actions.get('create_jira_ticket')!.mode).toBe('autonomous');
    expect(manifest.version).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    ['high', true, 'review_after'],
    ['critical', true, 'review_after'],
    ['high', false, 'approve_before'],
    ['critical', false, 'approve_before'],
    ['low', true, 'autonomous'],
    ['medium', true, 'autonomous'],
    ['low', false, 'log_and_alert'],
    ['medium', false, 'log_and_alert'],
  ] as const)('an action of severity %s, reversible %s, with no mode, is %s', (severity, reversible, mode) => {
    expect(modeFor(severity, reversible)).toBe(mode);
    const manifest = loadManifest(`actions:\n  a:\n    severity: ${severity}\n    reversible: ${reversible}\n    approval_required: false\n`);
    expect(manifest.actions.get('a')!.mode).toBe(mode);
  });

  it('approval_required: true always means approve_before', () => {
    expect(loadManifest('actions:\n  a: { severity: low, reversible: true, approval_required: true }\n').actions.get('a')!.mode).toBe('approve_before');
  });

  it('an action overrides defaults, and defaults override built-in values', () => {
    const m = loadManifest(`defaults:
  auto_approve_confidence: 0.9
  sla_minutes: { low: 100, normal: 50, high: 10, critical: 2 }
  escalation_path: [ops]
actions:
  a: { severity: high, reversible: false, thresholds: { auto_approve_confidence: 0.99 }, escalation_path: [l1, l2] }
  b: { severity: high, reversible: false }
`);
    expect(m.actions.get('a')).toMatchObject({ autoApproveConfidence: 0.99, escalationPath: ['l1', 'l2'], slaMinutes: { normal: 50 } });
    expect(m.actions.get('b')).toMatchObject({ autoApproveConfidence: 0.9, escalationPath: ['ops'] });
  });

  it.each([
    ['nowhere: an hour', 'actions:\n  a: { severity: high, reversible: false }\n', 3600],
    ['in defaults', 'defaults: { clarification_timeout_seconds: 600 }\nactions:\n  a: { severity: high, reversible: false }\n', 600],
    [
      'on the action, over defaults',
      'defaults: { clarification_timeout_seconds: 600 }\nactions:\n  a: { severity: high, reversible: false, clarification_timeout_seconds: 120 }\n',
      120,
    ],
  ])('clarification_timeout_seconds set %s', (_name, yaml, seconds) => {
    expect(loadManifest(yaml).actions.get('a')!.clarificationTimeoutSeconds).toBe(seconds);
  });
});

describe('a manifest that is wrong stops with errors naming the action and the field', () => {
  it.each([
    [
      'on_timeout: approve on a high-severity, irreversible action',
      refund('    on_timeout: approve'),
      'actions.process_refund.on_timeout: approve is allowed only for severity: low and reversible: true',
    ],
    [
      'on_timeout: approve on a low but irreversible action',
      'actions:\n  a: { severity: low, reversible: false, on_timeout: approve }\n',
      'actions.a.on_timeout',
    ],
    [
      'on_timeout: approve inherited from defaults',
      'defaults: { on_timeout: approve }\nactions:\n  a: { severity: medium, reversible: true }\n',
      'actions.a.on_timeout: approve (inherited from defaults.on_timeout)',
    ],
    ['a misspelt field', refund('    aproval_timeout_seconds: 60'), 'actions.process_refund.aproval_timeout_seconds: unknown field'],
    ['a severity that does not exist', 'actions:\n  a: { severity: huge, reversible: true }\n', 'actions.a.severity'],
    ['a missing severity', 'actions:\n  a: { reversible: true }\n', 'actions.a.severity'],
    ['a negative timeout', refund('    approval_timeout_seconds: -5'), 'actions.process_refund.approval_timeout_seconds'],
    ['an empty escalation path', refund('    escalation_path: []'), 'actions.process_refund.escalation_path'],
    ['a threshold above 1', refund('    thresholds: { auto_approve_confidence: 1.2 }'), 'actions.process_refund.thresholds.auto_approve_confidence'],
    [
      'escalation above auto-approval',
      refund('    thresholds: { auto_approve_confidence: 0.5, escalate_confidence: 0.7 }'),
      'actions.process_refund.thresholds: escalate_confidence 0.7 is above',
    ],
    [
      'amount bounds crossed',
      refund('    conditions: { auto_approve_below_usd: 600, always_approve_above_usd: 500 }'),
      'actions.process_refund.conditions: auto_approve_below_usd 600',
    ],
    ['a contradictory mode', refund('    mode: autonomous'), 'actions.process_refund.mode: is autonomous, but approval_required: true'],
    [
      'an escalate_when rule with two operators',
      refund('    escalate_when: [{ field: confidence, lt: 0.5, gt: 0.1 }]'),
      'actions.process_refund.escalate_when.0: needs exactly one of',
    ],
    [
      'an escalate_when rule on no decision field',
      refund('    escalate_when: [{ field: customer.tier, equals: vip }]'),
      'actions.process_refund.escalate_when.0.field: must start with one of',
    ],
    ['a clarification timeout of zero', refund('    clarification_timeout_seconds: 0'), 'actions.process_refund.clarification_timeout_seconds'],
    ['a clarification timeout in fractions', refund('    clarification_timeout_seconds: 1.5'), 'actions.process_refund.clarification_timeout_seconds'],
    [
      'a clarification timeout over a week',
      'defaults: { clarification_timeout_seconds: 604801 }\nactions: {}\n',
      'defaults.clarification_timeout_seconds: must be at most 604800',
    ],
    [
      'a pattern with a backreference',
      refund("    parameters_schema: { type: object, properties: { order_id: { type: string, pattern: '^(a)\\1$' } } }"),
      'actions.process_refund.parameters_schema.properties.order_id.pattern: "^(a)\\\\1$" is refused: patterns run on a linear-time engine (RE2), which has no backreferences or lookaround',
    ],
    [
      'a patternProperties key with lookahead',
      refund("    parameters_schema: { type: object, patternProperties: { '^(?=x)': { type: string } } }"),
      'actions.process_refund.parameters_schema.patternProperties.^(?=x): "^(?=x)" is refused',
    ],
    [
      'a pattern JavaScript cannot read',
      refund("    parameters_schema: { type: object, properties: { note: { type: string, pattern: '(?i)abc' } } }"),
      'actions.process_refund.parameters_schema.properties.note.pattern: "(?i)abc" is not a valid pattern',
    ],
    [
      'an invalid parameters_schema',
      refund('    parameters_schema: { type: objectx }'),
      'actions.process_refund.parameters_schema: is not a valid JSON Schema',
    ],
    ['an unknown manifest version', 'version: 2\nactions: {}\n', 'version'],
    ['duplicate keys', 'actions:\n  a: { severity: low, reversible: true }\n  a: { severity: high, reversible: true }\n', 'YAML: Map keys must be unique'],
    ['YAML that is not a mapping', '- just\n- a list\n', ': Invalid input'],
  ])('%s', (_name, yaml, expected) => {
    expect(issuesOf(yaml).join('\n')).toContain(expected);
  });

  it('reports every problem at once', () => {
    const issues = issuesOf('actions:\n  a: { severity: high, reversible: false, on_timeout: approve }\n  b: { severity: nope, reversible: true }\n');
    expect(issues).toHaveLength(1); // schema errors come first, on their own
    expect(
      issuesOf('actions:\n  a: { severity: high, reversible: false, on_timeout: approve }\n  b: { severity: low, reversible: false, on_timeout: approve }\n'),
    ).toHaveLength(2);
  });
});

describe('patterns from the manifest run in linear time on agent-written input', () => {
  const manifest = loadManifest(
    refund(
      "    parameters_schema: { type: object, properties: { order_id: { type: string, pattern: '^(a+)+$' } }, patternProperties: { '^(x+x+)+y$': { type: string } } }",
    ),
  );
  const validate = manifest.actions.get('process_refund')!.validateParameters!;
  // 50 kB that makes a backtracking engine try every way of splitting the a's: it never returns.
  const evil = 'a'.repeat(50_000) + '!';

  it.each([
    ['a catastrophic input to `pattern`', { order_id: evil }, false],
    ['a long input that matches', { order_id: 'a'.repeat(50_000) }, true],
    ['a catastrophic key for `patternProperties`', { ['x'.repeat(50_000)]: 1 }, true],
    ['a matching key of the wrong type', { ['x'.repeat(50_000) + 'y']: 1 }, false],
  ])('%s is answered', (_name, parameters, valid) => {
    expect(validate(parameters)).toBe(valid);
  });

  it('a pattern named `pattern` inside data (enum, default) is data, not a pattern', () => {
    expect(
      issuesOf(refund("    parameters_schema: { type: object, default: { pattern: '(a)\\1' }, properties: { pattern: { enum: [{ pattern: '(?=a)' }] } } }")),
    ).toEqual([]);
  });
});

describe('manifest_version', () => {
  it('is the same across key order, quoting and whitespace', () => {
    const reordered = `actions:
  query_crm: { audit_log: true, approval_required: false, reversible: true, severity: low }
  process_refund:
    conditions: { always_approve_above_usd: 500, auto_approve_below_usd: 50 }
    approval_timeout_seconds: 900
    approval_required: true
    reversible: false
    severity: "high"
  create_jira_ticket: {severity: low, reversible: true, approval_required: false, audit_log: true}
  send_customer_email:
      escalation_path:   [primary_reviewer, team_lead]
      approval_timeout_seconds: 3600
      approval_required: true
      reversible: false
      severity: high
`;
    expect(loadManifest(reordered).version).toBe(loadManifest(seedYaml).version);
  });

  it('changes when any policy value changes', () => {
    expect(loadManifest(seedYaml.replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 49')).version).not.toBe(loadManifest(seedYaml).version);
  });

  it('is a hash of the canonical document', () => {
    expect(manifestVersion({ b: 1, a: [1, 2] })).toBe(manifestVersion({ a: [1, 2], b: 1 }));
  });
});

describe('every tier of an escalation path is reachable (v1.1: tier deadlines)', () => {
  it.each<[string, string, string[]]>([
    ['the shipped refunds: 900 s for two tiers, 450 s each', 'approval_timeout_seconds: 900\n    escalation_path: [support_agent, finance_lead]', []],
    ['exactly 60 s a tier', 'approval_timeout_seconds: 120\n    escalation_path: [a, b]', []],
    [
      'two tiers sharing 100 s',
      'approval_timeout_seconds: 100\n    escalation_path: [support_agent, finance_lead]',
      [
        'actions.process_refund.approval_timeout_seconds: 100 s shared by the 2 tiers of escalation_path [support_agent, finance_lead] is 50 s a tier, under 60 s: a tier would never really be offered the decision',
      ],
    ],
    [
      'three tiers sharing the default hour are fine; sharing 150 s are not',
      'approval_timeout_seconds: 150\n    escalation_path: [a, b, c]',
      [
        'actions.process_refund.approval_timeout_seconds: 150 s shared by the 3 tiers of escalation_path [a, b, c] is 50 s a tier, under 60 s: a tier would never really be offered the decision',
      ],
    ],
    ['on_timeout escalate: each tier has the whole timeout', 'approval_timeout_seconds: 60\n    on_timeout: escalate\n    escalation_path: [a, b, c]', []],
    [
      'on_timeout escalate under 60 s',
      'approval_timeout_seconds: 30\n    on_timeout: escalate\n    escalation_path: [a, b]',
      ['actions.process_refund.approval_timeout_seconds: 30 s gives each tier under 60 s before on_timeout escalates it'],
    ],
  ])('%s', (_name, extra, expected) => {
    expect(issuesOf(refund(`    ${extra}\n`))).toEqual(expected);
  });

  it('names the defaults when the timeout comes from there', () => {
    expect(issuesOf(`defaults:\n  approval_timeout_seconds: 90\n  escalation_path: [a, b]\n${refund('')}`)).toEqual([
      'actions.process_refund.approval_timeout_seconds: 90 s (from defaults) shared by the 2 tiers of escalation_path [a, b] is 45 s a tier, under 60 s: a tier would never really be offered the decision',
    ]);
  });

  it('a test that runs real timers in seconds may lower the floor', () => {
    expect(() => loadManifest(refund('    approval_timeout_seconds: 4\n    escalation_path: [a, b]\n'), { minTierShareSeconds: 1 })).not.toThrow();
  });
});

describe('auto_approve_confidence: never (v1.1)', () => {
  it.each<[string, string, number | 'never' | string]>([
    ['in thresholds', '    thresholds: { auto_approve_confidence: never }\n', 'never'],
    ['in defaults, inherited', '', 'never'],
    ['1 still means a threshold of 1', '    thresholds: { auto_approve_confidence: 1 }\n', 1],
  ])('%s', (_name, extra, expected) => {
    const defaults = _name.startsWith('in defaults') ? 'defaults:\n  auto_approve_confidence: never\n' : '';
    expect(loadManifest(`${defaults}${refund(extra)}`).actions.get('process_refund')!.autoApproveConfidence).toBe(expected);
  });

  it.each([
    ['a misspelling', '    thresholds: { auto_approve_confidence: nevr }\n'],
    ['above 1', '    thresholds: { auto_approve_confidence: 1.5 }\n'],
  ])('refuses %s, naming the field', (_name, extra) => {
    expect(issuesOf(refund(extra))).toEqual(['actions.process_refund.thresholds.auto_approve_confidence: must be a number from 0 to 1, or never']);
  });

  it('never is no reason to refuse an escalation threshold', () => {
    expect(issuesOf(refund('    thresholds: { auto_approve_confidence: never, escalate_confidence: 0.9 }\n'))).toEqual([]);
  });
});

describe('rollback_tested and post_review_window_seconds (v1.1)', () => {
  const reversible = (extra: string) => `actions:
  issue_credit:
    severity: high
    reversible: true
    rollback_window_seconds: 3600
${extra}`;

  it('keeps a rollback test record of a reversible action with a rollback window', () => {
    const action = loadManifest(reversible("    rollback_tested: { on: '2026-11-20', by: alice, evidence: RUNBOOK-42 }\n")).actions.get('issue_credit')!;
    expect(action.rollbackTested).toEqual({ on: '2026-11-20', by: 'alice', evidence: 'RUNBOOK-42' });
  });

  it.each<[string, string, string[]]>([
    [
      'an irreversible action has no rollback to have tested',
      refund("    rollback_tested: { on: '2026-11-20', by: alice, evidence: RUNBOOK-42 }\n"),
      ['actions.process_refund.rollback_tested: needs reversible: true and a rollback_window_seconds: there is no rollback of this action to have tested'],
    ],
    [
      'a record without evidence or a real date',
      reversible("    rollback_tested: { on: 'last week', by: alice, evidence: '' }\n"),
      [
        'actions.issue_credit.rollback_tested.on: must be a date, YYYY-MM-DD',
        'actions.issue_credit.rollback_tested.evidence: must say where the test is recorded (a runbook, a ticket, a test run)',
      ],
    ],
    [
      'a review window under a minute',
      reversible('    post_review_window_seconds: 30\n'),
      ['actions.issue_credit.post_review_window_seconds: must be at least 60 (a minute): a reviewer needs time to look'],
    ],
  ])('%s is refused, naming the field', (_name, yaml, expected) => {
    expect(issuesOf(yaml)).toEqual(expected);
  });
});

describe('canaries (v1.1): known-answer items, checked like a proposal the manifest could route', () => {
  const withSchema = refund(
    '    parameters_schema: { type: object, required: [order_id, amount_usd], properties: { order_id: { type: string }, amount_usd: { type: number, exclusiveMinimum: 0 } } }\n',
  );
  const canaries = (section: string) => `canaries:\n${section}\n${withSchema}`;
  const item = (over = '') =>
    `    - { action: process_refund, parameters: { order_id: ORD-1, amount_usd: 4200 }, confidence: 0.7, summary: Refund in full, expected: deny, why: over the order total${over} }`;

  it.each<[string, string, string[]]>([
    ['a valid section', `  rate: 0.05\n  items:\n${item()}`, []],
    ['a rate of 0: kept, never mixed', `  rate: 0\n  items:\n${item()}`, []],
    ['a rate above 0.2', `  rate: 0.5\n  items:\n${item()}`, ['canaries.rate: must be at most 0.2: canaries are a sample, not a second queue']],
    ['no items', '  rate: 0.05\n  items: []', ['canaries.items: Too small: expected array to have >=1 items']],
    [
      'an action the manifest does not know',
      `  rate: 0.05\n  items:\n${item().replace('action: process_refund', 'action: wire_money')}`,
      ['canaries.items.0.action: names no action of this manifest (wire_money)'],
    ],
    [
      'parameters its schema refuses',
      `  rate: 0.05\n  items:\n${item().replace('amount_usd: 4200', 'amount_usd: -3')}`,
      ['canaries.items.0.parameters.amount_usd: must be > 0 (parameters_schema of process_refund)'],
    ],
    [
      'an expected answer other than approve or deny',
      `  rate: 0.05\n  items:\n${item().replace('expected: deny', 'expected: edit')}`,
      ['canaries.items.0.expected: Invalid option: expected one of "approve"|"deny"'],
    ],
    ['an unknown field', `  rate: 0.05\n  items:\n${item(', hint: it is a canary')}`, ['canaries.items.0.hint: unknown field']],
  ])('%s', (_name, section, expected) => {
    expect(issuesOf(canaries(section))).toEqual(expected);
  });

  it('the loaded manifest carries them; without the section, none', () => {
    expect(loadManifest(canaries(`  rate: 0.05\n  items:\n${item()}`)).canaries).toEqual({
      rate: 0.05,
      items: [
        {
          action: 'process_refund',
          parameters: { order_id: 'ORD-1', amount_usd: 4200 },
          confidence: 0.7,
          summary: 'Refund in full',
          expected: 'deny',
          why: 'over the order total',
        },
      ],
    });
    expect(loadManifest(withSchema).canaries).toBeNull();
  });
});
