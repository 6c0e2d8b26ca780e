import { createHash } from 'node:crypto';
import {
  APPROVAL_REQUESTED,
  APPROVAL_RESOLVED,
  DECISION_PROPOSED,
  EventType,
  Keyring,
  OUTCOME_LABELED,
  exampleEvent,
  generateSigningKey,
  signEvent,
} from '@hitl/contracts';
import { ResolvedAction } from '@hitl/policy';
import { CalibratorFacts, RunFacts, TopicMessage, ViolationKind, checkRun, formatReport, workspacesOf } from './invariants';

// A run as messages on topics: builders for the events that matter to the invariants.
const D1 = '11111111-1111-4111-8111-111111111111';
const D2 = '22222222-2222-4222-8222-222222222222';
const A1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';

let offset = 0;
/** A stable UUID per label, so the table reads in labels ('r1') while the events stay valid. */
const u = (label: string) => {
  const hex = createHash('sha256').update(label).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};
const on = (topic: string, value: unknown, partition = 0): TopicMessage => ({
  topic,
  partition,
  offset: String(offset++),
  value: typeof value === 'string' ? value : JSON.stringify(value),
});
const event = <T extends EventType>(type: T, id: string, decision: string, data: Record<string, unknown>) => {
  const e = exampleEvent(type, { id: u(id) });
  return { ...e, subject: decision, data: { ...e.data, decision_id: decision, ...data } };
};
const proposed = (decision: string, id = `p-${decision}`, onBehalfOf = 'customer:c-1') =>
  on('decision.proposed', event(DECISION_PROPOSED, id, decision, { action: 'process_refund', on_behalf_of: onBehalfOf }));
const resolved = (decision: string, id: string, over: Record<string, unknown> = {}) =>
  on(
    'approval.resolved',
    event(APPROVAL_RESOLVED, id, decision, {
      approval_id: null,
      status: 'approved',
      action: 'process_refund',
      resolved_by: { kind: 'policy', id: 'sha256:m' },
      reasons: [],
      ...over,
    }),
  );
const labeled = (decision: string, id: string) => on('outcome.labeled', event(OUTCOME_LABELED, id, decision, { correct: true }));

const NOW = new Date('2026-11-22T09:00:00Z');
const requested = (decision: string, id: string, expiresAt: string) =>
  on('approval.requested', event(APPROVAL_REQUESTED, id, decision, { route: 'human_review', expires_at: expiresAt }));

const manifest = {
  actions: new Map([
    ['process_refund', { onTimeout: 'deny' } as ResolvedAction],
    ['close_ticket', { onTimeout: 'approve' } as ResolvedAction],
  ]),
};

/** A clean run: two decisions, each resolved once and labeled; audit and calibrator agree. */
function cleanRun(): RunFacts {
  const messages = [
    proposed(D1),
    proposed(D2),
    resolved(D1, 'r1'),
    resolved(D2, 'r2', { status: 'denied', approval_id: A1, resolved_by: { kind: 'reviewer', id: 'alice' } }),
    labeled(D1, 'l1'),
  ];
  return {
    messages,
    manifest,
    audit: { eventIds: [`p-${D1}`, `p-${D2}`, 'r1', 'r2', 'l1'].map(u), verify: { ok: true, breaks: [] } },
    calibrator: {
      resolutions: [
        { decision_id: D1, approval_key: 'policy', status: 'approved' },
        { decision_id: D2, approval_key: A1, status: 'denied' },
      ],
      labels: [{ event_id: u('l1'), decision_id: D1 }],
    },
    now: NOW,
  };
}

const offline = (run: RunFacts) => {
  run.audit = null;
  run.calibrator = null;
};
const withMessages = (extra: TopicMessage[], change: (run: RunFacts) => void = () => undefined): RunFacts => {
  const run = cleanRun();
  run.messages = [...run.messages, ...extra];
  change(run);
  return run;
};
const calibrator = (run: RunFacts, change: (c: { -readonly [K in keyof CalibratorFacts]: CalibratorFacts[K][number][] }) => void) => {
  const c = { resolutions: [...run.calibrator!.resolutions], labels: [...run.calibrator!.labels] };
  change(c);
  run.calibrator = c;
};

describe('checkRun', () => {
  it('passes a clean run and counts what it saw', () => {
    const report = checkRun(cleanRun());
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts).toEqual({
      messages: 5,
      redelivered: 0,
      decisions: 2,
      awaitingReview: 0,
      resolutions: { approved: 1, denied: 1 },
      labels: 1,
      auditRows: 5,
      refused: null,
    });
  });

  it('counts a forged event for nothing when it knows the keys: a second, unsigned resolution and a forged label', () => {
    const router = generateSigningKey();
    const agent = generateSigningKey();
    const keyring = new Keyring({ services: { router: { keys: [router.jwk] } }, agents: [{ id: 'refund-bot', workspaces: '*', keys: { keys: [agent.jwk] } }] });
    const sign = (m: TopicMessage, key: typeof router) => ({ ...m, value: JSON.stringify(signEvent(JSON.parse(m.value!), key.key)) });
    const run = cleanRun();
    run.messages = [sign(proposed(D1), agent), sign(resolved(D1, 'r1'), router), labeled(D1, 'l1'), resolved(D1, 'forged', { status: 'denied' })];
    run.audit = null;
    run.calibrator = { resolutions: [{ decision_id: D1, approval_key: 'policy', status: 'approved' }], labels: [] };
    run.keyring = keyring;
    const report = checkRun(run);
    expect(report.violations).toEqual([]);
    expect(report.counts).toMatchObject({ decisions: 1, resolutions: { approved: 1 }, labels: 0, refused: 2 });
    // Without the keys, the same run has a decision resolved twice and a label the calibrator lacks.
    const unchecked = checkRun({ ...run, keyring: undefined });
    expect(unchecked.violations.map((v) => v.kind).sort()).toEqual(['calibrator_label_missing', 'calibrator_resolution_differs', 'resolved_twice']);
  });

  it('accepts redelivered copies of one event (same id) as a single resolution', () => {
    const run = withMessages([resolved(D1, 'r1'), proposed(D1)]);
    const report = checkRun(run);
    expect(report.violations).toEqual([]);
    expect(report.counts.redelivered).toBe(2);
  });

  it('expects a malformed proposal that names its decision to be resolved, and audited as its dead letter rather than by id', () => {
    const D3 = '33333333-3333-4333-8333-333333333333';
    const malformed = on('decision.proposed', {
      id: u('bad'),
      type: 'hitl.decision.proposed.v1',
      subject: D3,
      workspaceid: 'acme-support',
      data: { decision_id: D3, confidence: 7 },
    });
    const blocked = resolved(D3, 'r3', { status: 'blocked' });
    const run = withMessages([malformed, blocked], (r) => {
      r.audit = { ...r.audit!, eventIds: [...r.audit!.eventIds, u('r3')] };
      r.calibrator = null;
    });
    expect(checkRun(run).violations).toEqual([]);
    expect(checkRun(withMessages([malformed], offline)).violations.map((v) => v.kind)).toEqual(['unresolved']);
  });

  it('counts a decision awaiting a reviewer before its expiry, and flags it once the expiry has passed', () => {
    const D3 = '33333333-3333-4333-8333-333333333333';
    const waiting = checkRun(withMessages([proposed(D3), requested(D3, 'q3', '2026-11-22T09:15:00Z')], offline));
    expect(waiting.violations).toEqual([]);
    expect(waiting.counts.awaitingReview).toBe(1);
    const late = checkRun(withMessages([proposed(D3), requested(D3, 'q3', '2026-11-22T08:59:59Z')], offline));
    expect(late.violations).toEqual([
      { kind: 'unresolved', subject: D3, detail: 'proposed, but its review expired at 2026-11-22T08:59:59.000Z and no approval.resolved was published' },
    ]);
  });

  it('allows a timeout approval where the manifest says on_timeout: approve', () => {
    const D3 = '33333333-3333-4333-8333-333333333333';
    const run = withMessages([proposed(D3), resolved(D3, 'r3', { action: 'close_ticket', resolved_by: { kind: 'timeout', id: 'sla' } })], (r) => {
      r.audit = null;
      r.calibrator = null;
    });
    expect(checkRun(run).violations).toEqual([]);
  });

  it.each<[string, () => RunFacts, ViolationKind, string]>([
    [
      'a decision never resolved',
      () => withMessages([proposed('33333333-3333-4333-8333-333333333333')], (r) => (r.audit = null)),
      'unresolved',
      '33333333-3333-4333-8333-333333333333',
    ],
    ['a second resolution with its own id', () => withMessages([resolved(D1, 'r1-again', { status: 'denied' })], offline), 'resolved_twice', D1],
    [
      'a resolution of a decision nobody proposed',
      () => withMessages([resolved('44444444-4444-4444-8444-444444444444', 'r4')], offline),
      'resolved_unproposed',
      '44444444-4444-4444-8444-444444444444',
    ],
    [
      'a timeout approval the manifest does not allow',
      () => {
        const run = cleanRun();
        run.messages = [proposed(D1), resolved(D1, 'r1', { resolved_by: { kind: 'timeout', id: 'sla' } })];
        run.audit = null;
        run.calibrator = null;
        return run;
      },
      'approved_by_timeout',
      D1,
    ],
    [
      'an approval by the on_behalf_of person',
      () => {
        const run = cleanRun();
        run.messages = [proposed(D1, 'p1', 'bruno'), resolved(D1, 'r1', { approval_id: A1, resolved_by: { kind: 'reviewer', id: 'bruno' } })];
        run.audit = null;
        run.calibrator = null;
        return run;
      },
      'approved_by_requester',
      D1,
    ],
    [
      'a two-person approval where the requester was the first approver',
      () => {
        const run = cleanRun();
        const reasons = [
          { rule: 'reviewer_approved', detail: 'approved by bruno' },
          { rule: 'reviewer_approved', detail: 'approved by dana' },
        ];
        run.messages = [proposed(D1, 'p1', 'bruno'), resolved(D1, 'r1', { approval_id: A1, resolved_by: { kind: 'reviewer', id: 'dana' }, reasons })];
        run.audit = null;
        run.calibrator = null;
        return run;
      },
      'approved_by_requester',
      D1,
    ],
    [
      'an event the audit never recorded',
      () => withMessages([], (r) => (r.audit = { ...r.audit!, eventIds: r.audit!.eventIds.filter((id) => id !== u('r2')) })),
      'audit_missing',
      u('r2'),
    ],
    [
      'an event recorded twice',
      () => withMessages([], (r) => (r.audit = { ...r.audit!, eventIds: [...r.audit!.eventIds, u('l1')] })),
      'audit_duplicated',
      u('l1'),
    ],
    [
      'a dead letter not recorded (by its place in the DLQ)',
      () => withMessages([{ topic: 'decision.proposed.dlq', partition: 2, offset: '17', value: 'not json' }]),
      'audit_missing',
      'decision.proposed.dlq/2/17',
    ],
    [
      'a broken chain',
      () => withMessages([], (r) => (r.audit = { ...r.audit!, verify: { ok: false, breaks: ['acme-support at chain index 3: the row was changed'] } })),
      'audit_chain_broken',
      'audit',
    ],
    [
      'a resolution the calibrator did not count',
      () => withMessages([], (r) => calibrator(r, (c) => c.resolutions.pop())),
      'calibrator_resolution_missing',
      D2,
    ],
    [
      'a resolution counted with another status',
      () => withMessages([], (r) => calibrator(r, (c) => (c.resolutions[0] = { ...c.resolutions[0], status: 'denied' }))),
      'calibrator_resolution_differs',
      D1,
    ],
    [
      'a resolution counted that was never published',
      () => withMessages([], (r) => calibrator(r, (c) => c.resolutions.push({ decision_id: D1, approval_key: A1, status: 'approved' }))),
      'calibrator_resolution_unknown',
      D1,
    ],
    ['a label the calibrator did not keep', () => withMessages([], (r) => calibrator(r, (c) => c.labels.pop())), 'calibrator_label_missing', u('l1')],
    [
      'a label kept that was never published',
      () => withMessages([], (r) => calibrator(r, (c) => c.labels.push({ event_id: u('l9'), decision_id: D2 }))),
      'calibrator_label_unknown',
      u('l9'),
    ],
  ])('flags %s', (_name, run, kind, subject) => {
    const report = checkRun(run());
    expect(report.ok).toBe(false);
    expect(report.violations.map((v) => [v.kind, v.subject])).toEqual([[kind, subject]]);
  });

  it("ignores calibrator rows of other runs' decisions", () => {
    const other = '55555555-5555-4555-8555-555555555555';
    const run = withMessages([], (r) =>
      calibrator(r, (c) => {
        c.resolutions.push({ decision_id: other, approval_key: 'policy', status: 'approved' });
        c.labels.push({ event_id: 'l-old', decision_id: other });
      }),
    );
    expect(checkRun(run).violations).toEqual([]);
  });
});

describe('formatReport', () => {
  it('says ok with the counts when every invariant holds', () => {
    expect(formatReport(checkRun(cleanRun()))).toEqual([
      'messages:    5 read (0 redelivered copies)',
      'decisions:   2 proposed; resolved: 1 approved, 1 denied; 0 awaiting a reviewer (not expired yet)',
      'labels:      1',
      'audit rows:  5',
      'signatures:  not checked (no SERVICE_KEYS / AGENTS_PATH)',
      'ok: every invariant holds',
    ]);
  });

  it('lists violations grouped by kind', () => {
    const lines = formatReport(
      checkRun(withMessages([resolved(D1, 'r1-again', { status: 'denied' }), proposed('33333333-3333-4333-8333-333333333333')], offline)),
    );
    expect(lines.slice(3)).toEqual([
      'audit rows:  not checked',
      'signatures:  not checked (no SERVICE_KEYS / AGENTS_PATH)',
      'VIOLATED: 2 violation(s)',
      '  unresolved (1)',
      '    33333333-3333-4333-8333-333333333333: proposed, but no approval.resolved was published',
      '  resolved_twice (1)',
      `    ${D1}: 2 different approval.resolved events: approved by policy sha256:m (${u('r1')}), denied by policy sha256:m (${u('r1-again')})`,
    ]);
  });
});

describe('workspacesOf', () => {
  it("names the messages' workspaces, and unknown for a dead letter that names none", () => {
    const dlq = (value: string): TopicMessage => ({ topic: 'decision.proposed.dlq', partition: 0, offset: '0', value });
    expect(workspacesOf([proposed(D1), dlq('{"workspaceid":"globex"}'), dlq('not json')])).toEqual(['acme-support', 'globex', 'unknown']);
    expect(workspacesOf([on('decision.proposed', 'not json')])).toEqual([]);
  });
});
