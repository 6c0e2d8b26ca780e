import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { APPROVAL_RESOLVED, CloudEvent, Principal, exampleDecision, exampleEvent } from '@hitl/contracts';
import {
  ActionClassification,
  Classifier,
  ClassificationRefused,
  MAX_CLASSIFICATION_EXAMPLES,
  UnknownActionSighting,
  classificationId,
  classificationPatch,
  classificationRefusal,
  closedRefusal,
  commentText,
  parameterNames,
  tallySightings,
  unknownActionSighting,
} from './classification';
import { loadManifest } from './manifest';
import { route } from './route';

const router: Principal = { kind: 'service', service: 'router' };
const escalation: Principal = { kind: 'service', service: 'escalation' };
const agent: Principal = { kind: 'agent', id: 'refund-bot', workspaces: '*' };

/** The router's answer to a proposal of an action the manifest does not know. */
function blocked(overrides: Record<string, unknown> = {}): CloudEvent<typeof APPROVAL_RESOLVED> {
  const event = exampleEvent(APPROVAL_RESOLVED, { id: 'e-1', workspaceid: 'acme-support' });
  event.time = '2026-11-22T09:00:00.000Z';
  Object.assign(event.data, {
    decision_id: '6F1C2D3E-4B5A-4C6D-8E7F-901A2B3C4D5E',
    approval_id: null,
    status: 'blocked',
    resolved_by: { kind: 'policy', id: 'sha256:1' },
    action: 'wire_money',
    parameters: { iban: 'DE89370400440532013000', amount_usd: 9000, api_key: 'sk-live-secret' },
    reasons: [{ rule: 'unknown_action', detail: '"wire_money" is not an action of the manifest; unclassified actions are blocked' }],
    manifest_version: 'sha256:1',
    confidence: 0.9,
    ...overrides,
  });
  return event;
}

describe('which resolutions are sightings of an unknown action', () => {
  it.each<[string, CloudEvent<typeof APPROVAL_RESOLVED>, Principal | null, boolean]>([
    ["the router's block of an unknown action", blocked(), router, true],
    [
      '...with the unknown_action reason after another one',
      blocked({
        reasons: [
          { rule: 'x', detail: '' },
          { rule: 'unknown_action', detail: '' },
        ],
      }),
      router,
      true,
    ],
    // The attacker's cases: whatever the event says, another signer counts nothing.
    ['the same bytes signed by the escalation service', blocked(), escalation, false],
    [
      'escalation-signed, as a reviewer resolution (which the keyring lets through)',
      blocked({ resolved_by: { kind: 'reviewer', id: 'rev-x' } }),
      escalation,
      false,
    ],
    ['the same bytes signed by an agent', blocked(), agent, false],
    ['unsigned', blocked(), null, false],
    // The router's other answers.
    ['approved by policy', blocked({ status: 'approved', reasons: [{ rule: 'mode_autonomous', detail: '' }] }), router, false],
    ['blocked for its parameters', blocked({ action: 'process_refund', reasons: [{ rule: 'parameters_invalid', detail: '' }] }), router, false],
    ['blocked for breaking the contract (no action readable)', blocked({ action: '', reasons: [{ rule: 'contract_violation', detail: '' }] }), router, false],
    ['blocked for its signature', blocked({ reasons: [{ rule: 'signature', detail: '' }] }), router, false],
    ['a resolution with an approval (a person decided)', blocked({ approval_id: '0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d' }), router, false],
    ['a policy resolution by a reviewer kind', blocked({ resolved_by: { kind: 'reviewer', id: 'rev-x' } }), router, false],
  ])('%s', (_name, event, signer, counts) => {
    expect(unknownActionSighting(event, signer) !== null).toBe(counts);
  });

  it("keeps the parameters' names, never their values", () => {
    const sighting = unknownActionSighting(blocked(), router)!;
    expect(sighting).toMatchObject({
      workspace: 'acme-support',
      action: 'wire_money',
      decisionId: '6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e',
      parameterNames: ['amount_usd', 'api_key', 'iban'],
      seenAt: new Date('2026-11-22T09:00:00.000Z'),
    });
    expect(JSON.stringify(sighting)).not.toMatch(/sk-live-secret|DE8937/);
  });

  it('caps the names in number and length', () => {
    const many = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`p${String(i).padStart(2, '0')}`, i]));
    expect(parameterNames(many)).toHaveLength(50);
    expect(parameterNames({ ['x'.repeat(500)]: 1 })[0]).toHaveLength(101);
  });
});

describe('one item per workspace and action, counting its sightings', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 22, 9, minute));
  const sighting = (decision: number, minute: number): UnknownActionSighting => ({
    workspace: 'acme-support',
    action: 'wire_money',
    decisionId: `00000000-0000-4000-8000-${String(decision).padStart(12, '0')}`,
    seenAt: at(minute),
    parameterNames: ['iban'],
    confidence: 0.5,
    manifestVersion: `v${minute}`,
  });

  it.each<[string, [number, number][][], { occurrences: number; first: number; last: number; examples: number[]; version: string }]>([
    ['three proposals, one at a time', [[[1, 1]], [[2, 2]], [[3, 3]]], { occurrences: 3, first: 1, last: 3, examples: [3, 2, 1], version: 'v3' }],
    [
      'three proposals in one batch',
      [
        [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
      ],
      { occurrences: 3, first: 1, last: 3, examples: [3, 2, 1], version: 'v3' },
    ],
    [
      'a decision seen twice in one batch counts once',
      [
        [
          [1, 1],
          [1, 1],
          [2, 2],
        ],
      ],
      { occurrences: 2, first: 1, last: 2, examples: [2, 1], version: 'v2' },
    ],
    ['a redelivered example counts once', [[[1, 1]], [[1, 1]]], { occurrences: 1, first: 1, last: 1, examples: [1], version: 'v1' }],
    [
      'out of order: first and last widen, the latest version stays',
      [[[2, 5]], [[1, 1]]],
      { occurrences: 2, first: 1, last: 5, examples: [2, 1], version: 'v5' },
    ],
    [
      `at most ${MAX_CLASSIFICATION_EXAMPLES} examples, the most recent`,
      [
        [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
        [
          [4, 4],
          [5, 5],
          [6, 6],
          [7, 7],
        ],
      ],
      { occurrences: 7, first: 1, last: 7, examples: [7, 6, 5, 4, 3], version: 'v7' },
    ],
  ])('%s', (_name, batches, expected) => {
    let item = null;
    for (const batch of batches)
      item = tallySightings(
        item,
        batch.map(([d, m]) => sighting(d, m)),
      );
    expect({
      occurrences: item!.occurrences,
      first: item!.firstSeenAt.getTime(),
      last: item!.lastSeenAt.getTime(),
      examples: item!.examples.map((e) => Number(e.decision_id.slice(-12))),
      version: item!.manifestVersion,
    }).toEqual({ ...expected, first: at(expected.first).getTime(), last: at(expected.last).getTime() });
  });

  it('nothing new leaves the item as it was', () => {
    const item = tallySightings(null, [sighting(1, 1)]);
    expect(tallySightings(item, [])).toBe(item);
    expect(tallySightings(null, [])).toBeNull();
  });

  it('has one id per workspace and action name, shaped as a UUID', () => {
    const id = classificationId('acme-support', 'wire_money');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(classificationId('acme-support', 'wire_money')).toBe(id);
    expect(new Set([id, classificationId('globex-billing', 'wire_money'), classificationId('acme-support', 'wire_mone')]).size).toBe(3);
    // The separator keeps workspace and action apart.
    expect(classificationId('a', 'bc')).not.toBe(classificationId('ab', 'c'));
  });
});

describe('who may read and classify', () => {
  const who = (roles: string[], workspaces: string[], auditor = false): Classifier => ({ id: 'rev-x', roles, workspaces, auditor });
  it.each<[string, Classifier, string | null, 'read' | 'classify' | 'dismiss', string | null]>([
    ['the classify role in the workspace classifies', who(['team_lead'], ['acme-support']), 'team_lead', 'classify', null],
    ['...and dismisses', who(['team_lead'], ['acme-support']), 'team_lead', 'dismiss', null],
    ['...and reads', who(['team_lead'], ['acme-support']), 'team_lead', 'read', null],
    ['the role in every workspace ("*")', who(['team_lead'], ['*']), 'team_lead', 'classify', null],
    ['another role may not classify', who(['support_agent', 'finance_lead'], ['acme-support']), 'team_lead', 'classify', 'wrong_role'],
    ['...nor read', who(['support_agent'], ['acme-support']), 'team_lead', 'read', 'wrong_role'],
    ['the role in another workspace', who(['team_lead'], ['globex-billing']), 'team_lead', 'classify', 'wrong_workspace'],
    ['...may not read either', who(['team_lead'], ['globex-billing']), 'team_lead', 'read', 'wrong_workspace'],
    ['an auditor of the workspace reads', who([], ['acme-support'], true), 'team_lead', 'read', null],
    ['...but classifies nothing', who([], ['acme-support'], true), 'team_lead', 'classify', 'wrong_role'],
    ['an auditor of another workspace reads nothing', who([], ['globex-billing'], true), 'team_lead', 'read', 'wrong_workspace'],
    ['a manifest naming no classify role: nobody classifies', who(['team_lead'], ['acme-support']), null, 'classify', 'wrong_role'],
    ['...nor reads, but auditors', who(['team_lead'], ['acme-support']), null, 'read', 'wrong_role'],
    ['...auditors still read', who([], ['acme-support'], true), null, 'read', null],
  ])('%s', (_name, classifier, role, act, code) => {
    expect(classificationRefusal(classifier, 'acme-support', role, act)?.code ?? null).toBe(code);
  });

  it.each([
    ['open', null],
    ['classified', 'already_closed'],
    ['dismissed', 'already_closed'],
  ] as const)('an item %s: %s', (status, code) => {
    expect(closedRefusal(status)?.code ?? null).toBe(code);
  });
});

describe('the suggested manifest change', () => {
  const manifestPath = 'manifests/refunds.yaml';
  const yaml = readFileSync(resolve(__dirname, '../../../manifests/refunds.yaml'), 'utf8');
  const wireMoney: ActionClassification = {
    severity: 'critical',
    reversible: false,
    escalation_path: ['finance_lead'],
    owner: 'payments-team',
    parameters_schema: { type: 'object', required: ['iban', 'amount_usd'], properties: { iban: { type: 'string' }, amount_usd: { type: 'number' } } },
  };
  const note = 'classified by rev-farah on 2026-11-22: blocked 3 times since 2026-11-21';

  /** The patch applied by git (and checked by patch), as a reviewer would apply it. */
  function apply(patch: string, text = yaml): string {
    const dir = mkdtempSync(join(tmpdir(), 'hitl-classification-'));
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(join(dir, manifestPath), text);
    writeFileSync(join(dir, 'classification.patch'), patch);
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['apply', '--check', 'classification.patch'], { cwd: dir });
    execFileSync('patch', ['-p1', '--dry-run', '-i', 'classification.patch'], { cwd: dir, stdio: 'pipe' });
    execFileSync('git', ['apply', 'classification.patch'], { cwd: dir });
    return readFileSync(join(dir, manifestPath), 'utf8');
  }

  const refused = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (error instanceof ClassificationRefused) return error.refusal;
      throw error;
    }
    throw new Error('not refused');
  };

  it('adds the action after the last one, in the manifest layout, and nothing else', () => {
    const { patch, action } = classificationPatch({ manifestPath, manifestYaml: yaml, action: 'wire_money', classification: wireMoney, note });
    expect(patch).toMatch(/^--- a\/manifests\/refunds.yaml\n\+\+\+ b\/manifests\/refunds.yaml\n@@ /);
    expect(patch.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'))).toEqual([]);
    expect(patch).toContain(
      [
        `+  # ${note}`,
        '+  wire_money:',
        '+    severity: critical',
        '+    reversible: false',
        '+    escalation_path: [ finance_lead ]',
        '+    owner: payments-team',
        '+    parameters_schema:',
        '+      type: object',
        '+      required: [ iban, amount_usd ]',
        '+      properties:',
        '+        iban: { type: string }',
        '+        amount_usd: { type: number }',
      ].join('\n'),
    );
    expect(action).toMatchObject({ name: 'wire_money', mode: 'approve_before', escalationPath: ['finance_lead'] });
  });

  it('applies cleanly, and the manifest then loads and routes the action instead of blocking it', () => {
    const { patch } = classificationPatch({ manifestPath, manifestYaml: yaml, action: 'wire_money', classification: wireMoney, note });
    const manifest = loadManifest(apply(patch));
    const before = loadManifest(yaml);
    const decision = { ...structuredClone(exampleDecision), action: 'wire_money', parameters: { iban: 'DE89', amount_usd: 9000 } };
    const now = new Date('2026-11-22T09:00:00Z');
    expect(route(decision, before, now).reasons[0].rule).toBe('unknown_action');
    const routed = route(decision, manifest, now);
    expect(routed).toMatchObject({ verdict: 'human_review', mode: 'approve_before', approval: expect.objectContaining({ reviewer_role: 'finance_lead' }) });
    // Every other action is as it was.
    for (const [name, policy] of Object.entries(before.document.actions)) expect(manifest.document.actions[name]).toEqual(policy);
    expect(manifest.classifyRole).toBe(before.classifyRole);
  });

  it.each<[string, ActionClassification, string]>([
    ['low and reversible runs without review', { severity: 'low', reversible: true }, 'autonomous'],
    ['medium and irreversible runs and alerts', { severity: 'medium', reversible: false }, 'log_and_alert'],
    ['high and reversible is reviewed after', { severity: 'high', reversible: true }, 'review_after'],
    ['approval_required wins over the table', { severity: 'low', reversible: true, approval_required: true }, 'approve_before'],
    ['a mode the classifier names', { severity: 'medium', reversible: true, mode: 'approve_before' }, 'approve_before'],
  ])('%s', (_name, classification, mode) => {
    expect(classificationPatch({ manifestPath, manifestYaml: yaml, action: 'new_action', classification, note }).action.mode).toBe(mode);
  });

  it.each<[string, string, ActionClassification, string]>([
    ['an action already in the manifest', 'process_refund', wireMoney, 'already_in_manifest'],
    ['a name no manifest can hold (a typo to dismiss)', 'wire money!', wireMoney, 'invalid_action_name'],
    ['an empty name', '', wireMoney, 'invalid_action_name'],
    [
      'a mode approval_required contradicts',
      'wire_money',
      { severity: 'high', reversible: false, approval_required: true, mode: 'autonomous' },
      'classification_invalid',
    ],
    [
      'a schema pattern RE2 cannot run',
      'wire_money',
      { ...wireMoney, parameters_schema: { type: 'object', properties: { a: { type: 'string', pattern: '(a)\\1' } } } },
      'classification_invalid',
    ],
    ['an empty escalation path', 'wire_money', { ...wireMoney, escalation_path: [] }, 'classification_invalid'],
  ])('refuses %s', (_name, action, classification, code) => {
    expect(refused(() => classificationPatch({ manifestPath, manifestYaml: yaml, action, classification, note })).code).toBe(code);
  });

  it("names the validator's issue", () => {
    const refusal = refused(() =>
      classificationPatch({ manifestPath, manifestYaml: yaml, action: 'wire_money', classification: { ...wireMoney, escalation_path: [] }, note }),
    );
    expect(refusal).toMatchObject({ status: 422, issues: [expect.objectContaining({ path: 'actions.wire_money.escalation_path' })] });
  });

  it('keeps a note on one comment line: it cannot add YAML', () => {
    const hostile = 'ok\nactions: {}\n  process_refund: { severity: low, reversible: true, mode: autonomous }\u2028x';
    const { manifestYaml } = classificationPatch({ manifestPath, manifestYaml: yaml, action: 'wire_money', classification: wireMoney, note: hostile });
    expect(manifestYaml.split('\n').filter((l) => l.includes('process_refund: {'))).toHaveLength(1);
    expect(loadManifest(manifestYaml).actions.get('process_refund')!.mode).toBe('approve_before');
    expect(commentText(hostile)).not.toMatch(/[\n\u2028]/);
  });

  it.each<[string, string, string]>([
    [
      'an empty flow map',
      'version: 1\nactions: {}  # none yet\n',
      'version: 1\nactions:  # none yet\n  # n\n  wire_money:\n    severity: low\n    reversible: true\n',
    ],
    [
      'actions before other keys',
      'actions:\n    a: { severity: low, reversible: true }   # first\nunknown_actions: { classify_role: team_lead }\n',
      'actions:\n    a: { severity: low, reversible: true }   # first\n    # n\n    wire_money:\n      severity: low\n      reversible: true\nunknown_actions: { classify_role: team_lead }\n',
    ],
    [
      'a file without a final line break, four-space keys',
      'actions:\n  a:\n      severity: low\n      reversible: true',
      'actions:\n  a:\n      severity: low\n      reversible: true\n  # n\n  wire_money:\n      severity: low\n      reversible: true\n',
    ],
  ])('edits %s in place', (_name, before, after) => {
    const result = classificationPatch({
      manifestPath,
      manifestYaml: before,
      action: 'wire_money',
      classification: { severity: 'low', reversible: true },
      note: 'n',
    });
    expect(result.manifestYaml).toBe(after);
    expect(apply(result.patch, before)).toBe(after);
  });

  it('quotes a name YAML would read as another type', () => {
    const { manifestYaml } = classificationPatch({
      manifestPath,
      manifestYaml: 'actions:\n  a: { severity: low, reversible: true }\n',
      action: 'true',
      classification: { severity: 'low', reversible: true },
      note: '',
    });
    expect(manifestYaml).toContain('  "true":\n');
    expect(loadManifest(manifestYaml).actions.has('true')).toBe(true);
  });
});
