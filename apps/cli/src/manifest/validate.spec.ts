import { formatIssues, formatValid, parseManifest } from './validate';

describe('validating a manifest', () => {
  it('counts the actions and gives the version of a valid one', () => {
    const loaded = parseManifest('actions:\n  query_crm: { severity: low, reversible: true }\n');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(formatValid(loaded.manifest)).toMatch(/^valid: 1 action, version sha256:[0-9a-f]{64}$/);
  });

  it.each<[string, string, string[]]>([
    [
      'on_timeout approve on a high, irreversible action',
      'actions:\n  process_refund: { severity: high, reversible: false, on_timeout: approve }\n',
      [
        'invalid manifest m.yaml: 1 issue',
        'actions.process_refund.on_timeout: approve is allowed only for severity: low and reversible: true (this action is high, irreversible); an agent must never get approval by waiting out a reviewer',
      ],
    ],
    [
      'a misspelt key and a bad severity',
      'actions:\n  a: { severity: huge, reversable: true }\n',
      [
        'invalid manifest m.yaml: 3 issues',
        'actions.a.severity: Invalid option: expected one of "low"|"medium"|"high"|"critical"',
        'actions.a.reversible: Invalid input: expected boolean, received undefined',
        'actions.a.reversable: unknown field',
      ],
    ],
    ['an empty file, at the root', '', ['invalid manifest m.yaml: 1 issue', '(root): Invalid input: expected object, received null']],
  ])('lists every issue of %s as path: message', (_name, yaml, lines) => {
    const loaded = parseManifest(yaml);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(formatIssues('m.yaml', loaded.issues)).toEqual(lines);
  });
});
