import { ClassificationItem, ClassificationQuery, ClassifyAnswer, ClassifyBody, DismissBody } from './classifications';

const item: ClassificationItem = {
  id: '8f0c1d2e-5b6a-8c7d-8e9f-0a1b2c3d4e5f',
  workspace: 'acme-support',
  action: 'wire_money',
  status: 'classified',
  occurrences: 3,
  first_seen_at: '2031-01-01T10:00:00.000Z',
  last_seen_at: '2031-01-01T10:05:00.000Z',
  examples: [{ decision_id: '0b1c2d3e-4f50-4162-8374-95a6b7c8d9e0', seen_at: '2031-01-01T10:05:00.000Z', parameter_names: ['iban'], confidence: 0.9 }],
  classify_role: 'team_lead',
  manifest_version: 'sha256:1',
  closed_by: 'rev-farah',
  closed_at: '2031-01-02T09:00:00.000Z',
  classification: { severity: 'critical', reversible: false },
  suggested_patch: '--- a/manifests/refunds.yaml\n+++ b/manifests/refunds.yaml\n',
  dismiss_reason: null,
};

describe('the classification API', () => {
  it('reads its own answers', () => {
    expect(ClassificationItem.parse(item)).toEqual(item);
    const answer: ClassifyAnswer = {
      classification: item,
      patch: item.suggested_patch!,
      manifest_path: 'manifests/refunds.yaml',
      manifest_version: 'sha256:1',
      mode: 'approve_before',
    };
    expect(ClassifyAnswer.parse(answer)).toEqual(answer);
  });

  it.each<[string, unknown, boolean]>([
    ['severity and reversible', { severity: 'high', reversible: false }, true],
    [
      'every optional key',
      {
        severity: 'low',
        reversible: true,
        approval_required: false,
        mode: 'autonomous',
        escalation_path: ['ops'],
        owner: 'ops-team',
        description: 'd',
        parameters_schema: { type: 'object' },
      },
      true,
    ],
    ['no reversible', { severity: 'high' }, false],
    ['a severity the manifest does not have', { severity: 'huge', reversible: false }, false],
    ['an unknown field', { severity: 'high', reversible: false, on_timeout: 'approve' }, false],
    ['an empty escalation path', { severity: 'high', reversible: false, escalation_path: [] }, false],
    ['a blank role', { severity: 'high', reversible: false, escalation_path: [' '] }, false],
  ])('a classification with %s: accepted %s', (_name, body, ok) => {
    expect(ClassifyBody.safeParse(body).success).toBe(ok);
  });

  it('needs a reason to dismiss, and lists open items unless asked', () => {
    expect(DismissBody.safeParse({ reason: '  ' }).success).toBe(false);
    expect(DismissBody.parse({ reason: ' a typo ' })).toEqual({ reason: 'a typo' });
    expect(ClassificationQuery.parse({})).toEqual({ status: 'open' });
    expect(ClassificationQuery.safeParse({ status: 'approved' }).success).toBe(false);
  });
});
