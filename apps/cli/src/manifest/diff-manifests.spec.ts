import { loadManifest } from '@hitl/policy';
import { diffManifests, formatManifestDiff, isEmptyDiff, showValue } from './diff-manifests';

const base = `
defaults:
  on_timeout: deny
actions:
  process_refund:
    severity: high
    reversible: false
    approval_required: true
    escalation_path: [support_agent, finance_lead]
    conditions:
      auto_approve_below_usd: 50
      always_approve_above_usd: 500
  query_crm:
    severity: low
    reversible: true
`;

const reordered = `
actions:
  query_crm:
    reversible: true
    severity: low
  process_refund:
    conditions:
      always_approve_above_usd: 500
      auto_approve_below_usd: 50
    escalation_path: [support_agent, finance_lead]
    approval_required: true
    reversible: false
    severity: high
defaults:
  on_timeout: "deny"
`;

/** Changes lines of `base` (each [from, to] once) to make the manifest after. */
function edit(...replacements: [string, string][]): string {
  return replacements.reduce((yaml, [from, to]) => {
    if (!yaml.includes(from)) throw new Error(`base has no ${from}`);
    return yaml.replace(from, to);
  }, base);
}

/** The formatted diff without its header (file names and versions). */
function body(before: string, after: string): string[] {
  const diff = diffManifests(loadManifest(before), loadManifest(after));
  const lines = formatManifestDiff(diff, { before: 'old.yaml', after: 'new.yaml', textsDiffer: before !== after });
  return isEmptyDiff(diff) ? lines : lines.slice(2);
}

describe('diffing two manifests', () => {
  it.each<[string, string, string[]]>([
    [
      'a lowered auto-approve limit, by its nested path',
      edit(['auto_approve_below_usd: 50', 'auto_approve_below_usd: 25']),
      ['changed fields:', '  actions.process_refund.conditions.auto_approve_below_usd: 50 → 25'],
    ],
    ['a changed default', edit(['on_timeout: deny', 'on_timeout: escalate']), ['changed fields:', '  defaults.on_timeout: deny → escalate']],
    ['a version key added', `version: 1\n${base}`, ['changed fields:', '  version: (unset) → 1']],
    [
      'a new block of conditions, field by field',
      edit(['  query_crm:\n    severity: low', '  query_crm:\n    conditions: { auto_approve_below_usd: 10 }\n    severity: low']),
      ['changed fields:', '  actions.query_crm.conditions.auto_approve_below_usd: (unset) → 10'],
    ],
    [
      'a removed field',
      edit(['      always_approve_above_usd: 500\n', '']),
      ['changed fields:', '  actions.process_refund.conditions.always_approve_above_usd: 500 → (unset)'],
    ],
    [
      'a list, compared whole',
      edit(['[support_agent, finance_lead]', '[support_agent, payments_lead]']),
      ['changed fields:', '  actions.process_refund.escalation_path: ["support_agent","finance_lead"] → ["support_agent","payments_lead"]'],
    ],
    [
      'an added action, with its effective mode',
      `${base}  delete_account:\n    severity: critical\n    reversible: false\n`,
      ['added actions:', '  + delete_account (mode approve_before)'],
    ],
    [
      'a removed action, with the mode it had',
      edit(['  query_crm:\n    severity: low\n    reversible: true\n', '']),
      ['removed actions:', '  - query_crm (mode autonomous)'],
    ],
    [
      'a severity change that changes the effective mode',
      edit(['  query_crm:\n    severity: low', '  query_crm:\n    severity: high']),
      ['changed fields:', '  actions.query_crm.severity: low → high', 'effective mode changes:', '  query_crm: autonomous → review_after'],
    ],
    [
      'an explicit mode equal to the derived one: a field change, no mode change',
      edit(['    reversible: true\n', '    reversible: true\n    mode: autonomous\n']),
      ['changed fields:', '  actions.query_crm.mode: (unset) → autonomous'],
    ],
    [
      'approval_required dropped: the table now decides, and says the same',
      edit(['    approval_required: true\n', '']),
      ['changed fields:', '  actions.process_refund.approval_required: true → (unset)'],
    ],
  ])('reports %s', (_name, after, expected) => {
    expect(body(base, after)).toEqual(expected);
  });

  it('lists added and removed actions, then fields, then mode changes', () => {
    const after = edit(
      ['  query_crm:\n    severity: low\n    reversible: true\n', '  search_kb:\n    severity: low\n    reversible: true\n'],
      ['reversible: false', 'reversible: true'],
    );
    expect(body(base, after)).toEqual([
      'added actions:',
      '  + search_kb (mode autonomous)',
      'removed actions:',
      '  - query_crm (mode autonomous)',
      'changed fields:',
      '  actions.process_refund.reversible: false → true',
    ]);
  });

  it.each<[string, string, string]>([
    ['identical files', base, 'no policy changes (identical, manifest version '],
    ['actions and keys reordered', reordered, 'no policy changes (formatting only, same manifest version '],
    [
      'flow style and comments',
      base.replace(
        'conditions:\n      auto_approve_below_usd: 50\n      always_approve_above_usd: 500',
        'conditions: { always_approve_above_usd: 500, auto_approve_below_usd: 50 } # ceiling first',
      ),
      'no policy changes (formatting only, same manifest version ',
    ],
  ])('says there are no policy changes for %s', (_name, after, expected) => {
    const before = loadManifest(base);
    const diff = diffManifests(before, loadManifest(after));
    expect(isEmptyDiff(diff)).toBe(true);
    expect(diff.afterVersion).toBe(before.version);
    expect(formatManifestDiff(diff, { before: 'old.yaml', after: 'new.yaml', textsDiffer: base !== after })).toEqual([`${expected}${before.version})`]);
  });

  it('heads a non-empty diff with both files and both versions', () => {
    const before = loadManifest(base);
    const after = loadManifest(edit(['on_timeout: deny', 'on_timeout: escalate']));
    const lines = formatManifestDiff(diffManifests(before, after), { before: 'old.yaml', after: 'new.yaml', textsDiffer: true });
    expect(lines.slice(0, 2)).toEqual(['policy changes from old.yaml to new.yaml', `  manifest version ${before.version} → ${after.version}`]);
  });
});

describe('showing a value', () => {
  it.each<[unknown, string]>([
    [undefined, '(unset)'],
    [null, 'null'],
    [25, '25'],
    [0.97, '0.97'],
    [true, 'true'],
    ['deny', 'deny'],
    ['payments-team', 'payments-team'],
    ['true', '"true"'],
    ['No', '"No"'],
    ['12', '"12"'],
    ['two words', '"two words"'],
    ['', '""'],
    [['a', 'b'], '["a","b"]'],
    [{ type: 'object' }, '{"type":"object"}'],
  ])('shows %p as %s', (value, shown) => {
    expect(showValue(value)).toBe(shown);
  });
});
