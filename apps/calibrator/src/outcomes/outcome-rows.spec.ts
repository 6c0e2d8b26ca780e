import {
  APPROVAL_REQUESTED,
  APPROVAL_RESOLVED,
  APPROVAL_REVIEWED,
  APPROVAL_ROLLED_BACK,
  APPROVAL_UNREVIEWED,
  AnyEvent,
  CONTROL_PROBATION_ENDED,
  CONTROL_PROBATION_GRADUATED,
  CONTROL_PROBATION_STARTED,
  DECISION_PROPOSED,
  OUTCOME_LABELED,
  UnreviewedReason,
  exampleEvent,
} from '@hitl/contracts';
import { PostReviewRow, PostReviewState, ProbationRow, mergePostReview, mergeProbation, outcomeRows, policyVerdict } from './outcome-rows';

const D = '6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e'; // the examples' decision

const at = <E extends AnyEvent>(event: E, time: string, id?: string): E => ({ ...event, time, ...(id ? { id } : {}) });
const proposed = () => exampleEvent(DECISION_PROPOSED);
const requested = (route: 'human_review' | 'escalate' | 'post_review') => {
  const e = exampleEvent(APPROVAL_REQUESTED);
  e.data.route = route;
  return e;
};
const resolved = (by: 'policy' | 'reviewer', status: 'approved' | 'denied' | 'blocked', edited = false) => {
  const e = exampleEvent(APPROVAL_RESOLVED);
  Object.assign(e.data, {
    status,
    edited,
    resolved_by: { kind: by, id: by === 'policy' ? 'sha256:m' : 'rev-alice' },
    approval_id: by === 'policy' ? null : e.data.approval_id,
  });
  return e;
};
const labeled = (id: string, correct: boolean, time: string) => {
  const e = at(exampleEvent(OUTCOME_LABELED), time, id);
  e.data.correct = correct;
  return e;
};

describe('what the calibrator keeps of each event', () => {
  it('a proposal: the decision, its agent, action, confidence and time, with no verdict yet', () => {
    const { decisions, resolutions, labels } = outcomeRows([proposed()]);
    expect(decisions).toEqual([
      expect.objectContaining({
        decision_id: D,
        workspace: 'acme-support',
        agent_id: 'refund-bot',
        action: 'process_refund',
        confidence: 0.82,
        proposed_at: '2026-11-22T09:00:00.000Z',
        routed_verdict: null,
      }),
    ]);
    expect(decisions[0].proposal.summary).toContain('Refund $129.50');
    expect([resolutions, labels]).toEqual([[], []]);
  });

  it.each([
    ['human_review', 'human_review'],
    ['escalate', 'escalate'],
    ['post_review', null],
  ] as const)('a request routed %s: the decision (carried whole), verdict %s', (route, verdict) => {
    expect(outcomeRows([requested(route)]).decisions).toEqual([expect.objectContaining({ decision_id: D, agent_id: 'refund-bot', routed_verdict: verdict })]);
  });

  it('a proposal and its request in one chunk: one decision, the earliest time, the verdict', () => {
    const { decisions } = outcomeRows([at(requested('escalate'), '2026-11-22T09:00:01Z'), at(proposed(), '2026-11-22T09:00:00Z')]);
    expect(decisions).toEqual([expect.objectContaining({ proposed_at: '2026-11-22T09:00:00Z', routed_verdict: 'escalate' })]);
  });

  it('resolutions: by policy keyed "policy", by a reviewer keyed by the approval; a copy once', () => {
    const byPolicy = resolved('policy', 'approved');
    const byReviewer = resolved('reviewer', 'approved', true);
    const { resolutions } = outcomeRows([byPolicy, byReviewer, { ...byReviewer, id: 'another-copy' }]);
    expect(resolutions.map((r) => [r.approval_key, r.resolved_by_kind, r.status, r.edited])).toEqual([
      ['policy', 'policy', 'approved', false],
      ['0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d', 'reviewer', 'approved', true],
    ]);
    expect(resolutions[0]).toMatchObject({ action: 'process_refund', confidence: 0.82, resolved_at: '2026-11-22T09:00:00.000Z', workspace: 'acme-support' });
  });

  it.each([
    ['policy', 'approved', 'auto_approve'],
    ['policy', 'blocked', 'block'],
    ['reviewer', 'approved', null],
    ['reviewer', 'denied', null],
  ] as const)('a resolution by %s, %s, stands for the verdict %s', (by, status, verdict) => {
    expect(policyVerdict(outcomeRows([resolved(by, status)]).resolutions[0])).toBe(verdict);
  });

  it('labels: every label kept by its event id (a decision’s latest wins later, in SQL), a copy of one event once', () => {
    const first = labeled('l-1', false, '2026-11-22T10:00:00Z');
    const second = labeled('l-2', true, '2026-11-23T10:00:00Z');
    const { labels } = outcomeRows([first, second, first]);
    expect(labels.map((l) => [l.event_id, l.decision_id, l.correct, l.labeled_at, l.source])).toEqual([
      ['l-1', D, false, '2026-11-22T10:00:00Z', 'reviewer_audit'],
      ['l-2', D, true, '2026-11-23T10:00:00Z', 'reviewer_audit'],
    ]);
  });

  it('events that are not calibration material leave nothing', () => {
    expect(
      outcomeRows([
        exampleEvent('hitl.action.executed.v1'),
        exampleEvent('hitl.approval.assigned.v1'),
        exampleEvent('hitl.approval.clarification_provided.v1'),
        exampleEvent('hitl.directory.reviewer_changed.v1'),
        exampleEvent('hitl.control.paused.v1'),
        exampleEvent('hitl.control.resumed.v1'),
      ]),
    ).toEqual({
      decisions: [],
      resolutions: [],
      labels: [],
      postReviews: [],
      compensations: [],
      probations: [],
      openings: [],
      canaries: [],
    });
  });

  it.each<[string, string[], string]>([
    ['one opening', ['2026-12-04T10:00:05Z'], '2026-12-04T10:00:05Z'],
    ['the first opening stands, whatever order they came in', ['2026-12-04T10:00:09Z', '2026-12-04T10:00:05Z', '2026-12-04T10:00:07Z'], '2026-12-04T10:00:05Z'],
  ])('a reviewer opening an approval: %s', (_, times, openedAt) => {
    const events = times.map((time) => at(exampleEvent('hitl.approval.opened.v1'), time));
    const { openings, decisions, resolutions } = outcomeRows(events);
    expect(openings).toEqual([
      {
        approval_id: events[0].data.approval_id,
        reviewer_id: 'rev-alice',
        decision_id: events[0].data.decision_id,
        workspace: events[0].workspaceid,
        opened_at: openedAt,
      },
    ]);
    // Reading is not an outcome: nothing for calibration's buckets.
    expect([decisions, resolutions]).toEqual([[], []]);
  });

  it.each<[string, (e: AnyEvent) => void, object]>([
    ['answered wrong', () => undefined, { reviewer_id: 'rev-alice', expected: 'deny', answered: 'approve', correct: false }],
    ['missed', (e) => Object.assign(e.data, { answered: null, correct: null, reviewer_id: null }), { reviewer_id: null, answered: null, correct: null }],
  ])('a canary %s: scored for review quality, never a decision or a resolution', (_, change, expected) => {
    const e = at(exampleEvent('hitl.approval.canary_scored.v1'), '2026-12-04T10:00:00Z');
    change(e);
    const rows = outcomeRows([e, at(exampleEvent('hitl.approval.canary_scored.v1'), '2026-12-04T11:00:00Z')]);
    expect(rows.canaries).toEqual([
      {
        approval_id: e.data.approval_id,
        decision_id: e.data.decision_id,
        workspace: e.workspaceid,
        reviewer_role: 'support_agent',
        action: 'process_refund',
        scored_at: '2026-12-04T10:00:00Z',
        expected: 'deny',
        ...expected,
      },
    ]);
    expect([rows.decisions, rows.resolutions, rows.labels]).toEqual([[], [], []]);
  });

  it('an edited resolution keeps the parameters the reviewer approved; an unedited one does not', () => {
    const edited = resolved('reviewer', 'approved', true);
    edited.data.parameters = { ...edited.data.parameters, amount_usd: 60 };
    const unedited = resolved('reviewer', 'approved');
    unedited.data.approval_id = '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e'; // another reviewer's approval of the same decision
    const { resolutions } = outcomeRows([edited, unedited]);
    expect(resolutions.map((r) => r.parameters)).toEqual([expect.objectContaining({ amount_usd: 60 }), null]);
  });

  it('a compensation: the undo of a rollback, a success standing over a failure whatever the order', () => {
    const undo = (succeeded: boolean, time: string) => {
      const e = at(exampleEvent('hitl.action.executed.v1'), time);
      Object.assign(e.data, { succeeded, compensation: { approval_id: A, rolled_back_by: 'rev-alice', reason: 'wrong order' } });
      return e;
    };
    const expected = { approval_id: A, decision_id: D, workspace: 'acme-support', action: 'process_refund', succeeded: true };
    const failure = undo(false, '2026-11-22T10:00:00Z');
    const success = undo(true, '2026-11-22T10:05:00Z');
    // Who signed each, as the transport verified it: the success is the proposing agent's.
    const signerOf = (id: string) => (id === success.id ? 'refund-bot' : 'other-bot');
    expect(outcomeRows([failure, success], signerOf).compensations).toEqual([{ ...expected, executed_at: '2026-11-22T10:05:00Z', signed_by: 'refund-bot' }]);
    expect(outcomeRows([success, undo(false, '2026-11-22T10:07:00Z')], signerOf).compensations).toEqual([
      { ...expected, executed_at: '2026-11-22T10:05:00Z', signed_by: 'refund-bot' },
    ]);
  });
});

const A = '0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d'; // the examples' approval
const reviewed = (time: string, by = 'rev-alice') => {
  const e = at(exampleEvent(APPROVAL_REVIEWED), time);
  e.data.reviewed_by = by;
  return e;
};
const rolledBack = (time: string) => at(exampleEvent(APPROVAL_ROLLED_BACK), time);
const unreviewed = (time: string, reason: UnreviewedReason) => {
  const e = at(exampleEvent(APPROVAL_UNREVIEWED), time);
  e.data.reason = reason;
  return e;
};

describe('post-reviews: open from the request, then how each ended', () => {
  it('a post-review request opens one, with its action and time; other routes open none', () => {
    expect(outcomeRows([at(requested('post_review'), '2026-11-22T09:00:00Z')]).postReviews).toEqual([
      {
        approval_id: A,
        decision_id: D,
        workspace: 'acme-support',
        action: 'process_refund',
        requested_at: '2026-11-22T09:00:00Z',
        state: 'open',
        unreviewed_reason: null,
        ended_by: null,
        ended_at: null,
      },
    ]);
    expect(outcomeRows([requested('human_review'), requested('escalate')]).postReviews).toEqual([]);
  });

  it.each<[string, AnyEvent, Pick<PostReviewRow, 'state' | 'unreviewed_reason' | 'ended_by'>]>([
    ['confirmed by a reviewer', reviewed('2026-11-22T10:00:00Z'), { state: 'reviewed', unreviewed_reason: null, ended_by: 'rev-alice' }],
    ['rolled back by a reviewer', rolledBack('2026-11-22T10:00:00Z'), { state: 'rolled_back', unreviewed_reason: null, ended_by: 'rev-alice' }],
    [
      'its review window closed',
      unreviewed('2026-11-22T10:00:00Z', 'review_window_closed'),
      { state: 'unreviewed', unreviewed_reason: 'review_window_closed', ended_by: null },
    ],
    [
      'never queued: no reviewer capacity left',
      unreviewed('2026-11-22T10:00:00Z', 'no_review_capacity'),
      { state: 'unreviewed', unreviewed_reason: 'no_review_capacity', ended_by: null },
    ],
  ])('%s: its end, kept even before its request is seen', (_name, event, end) => {
    const alone = outcomeRows([event]).postReviews;
    expect(alone).toEqual([
      { approval_id: A, decision_id: D, workspace: 'acme-support', action: null, requested_at: null, ended_at: '2026-11-22T10:00:00Z', ...end },
    ]);
    // With its request, in either order: one row, the request's action and time, the end.
    const request = at(requested('post_review'), '2026-11-22T09:00:00Z');
    for (const events of [
      [request, event],
      [event, request],
    ]) {
      expect(outcomeRows(events).postReviews).toEqual([
        expect.objectContaining({ action: 'process_refund', requested_at: '2026-11-22T09:00:00Z', ended_at: '2026-11-22T10:00:00Z', ...end }),
      ]);
    }
    // Nothing else: an end is no label, no resolution, no decision.
    expect(outcomeRows([event])).toMatchObject({ decisions: [], resolutions: [], labels: [] });
  });

  const row = (state: PostReviewState, endedAt: string | null, over: Partial<PostReviewRow> = {}): PostReviewRow => ({
    approval_id: A,
    decision_id: D,
    workspace: 'acme-support',
    action: null,
    requested_at: null,
    state,
    unreviewed_reason: state === 'unreviewed' ? 'review_window_closed' : null,
    ended_by: state === 'reviewed' || state === 'rolled_back' ? 'rev-alice' : null,
    ended_at: endedAt,
    ...over,
  });

  it.each<[string, PostReviewRow, PostReviewRow, PostReviewState]>([
    ['open, then confirmed', row('open', null), row('reviewed', '2026-11-22T10:00:00Z'), 'reviewed'],
    ['confirmed, then a copy of its request', row('reviewed', '2026-11-22T10:00:00Z'), row('open', null), 'reviewed'],
    [
      'unreviewed, then rolled back in a longer rollback window',
      row('unreviewed', '2026-11-22T10:00:00Z'),
      row('rolled_back', '2026-11-22T11:00:00Z'),
      'rolled_back',
    ],
    ['rolled back, then an unreviewed that came late', row('rolled_back', '2026-11-22T11:00:00Z'), row('unreviewed', '2026-11-22T10:00:00Z'), 'rolled_back'],
    ['confirmed, then rolled back', row('reviewed', '2026-11-22T10:00:00Z'), row('rolled_back', '2026-11-22T11:00:00Z'), 'rolled_back'],
    ['rolled back, then confirmed', row('rolled_back', '2026-11-22T11:00:00Z'), row('reviewed', '2026-11-22T10:00:00Z'), 'rolled_back'],
    ['unreviewed, then confirmed', row('unreviewed', '2026-11-22T10:00:00Z'), row('reviewed', '2026-11-22T11:00:00Z'), 'reviewed'],
  ])('%s: %s stands, in either order', (_name, first, second, state) => {
    expect(mergePostReview(first, second).state).toBe(state);
    expect(mergePostReview(second, first).state).toBe(state);
  });

  it('two ends of one rank: the earlier stands, in either order; the request fills in what the end lacks', () => {
    const closed = row('unreviewed', '2026-11-22T10:00:00Z');
    const notQueued = row('unreviewed', '2026-11-22T09:00:05Z', { unreviewed_reason: 'no_review_capacity' });
    expect(mergePostReview(closed, notQueued)).toEqual(notQueued);
    expect(mergePostReview(notQueued, closed)).toEqual(notQueued);
    const request = row('open', null, { action: 'process_refund', requested_at: '2026-11-22T09:00:00Z' });
    expect(mergePostReview(closed, request)).toEqual({ ...closed, action: 'process_refund', requested_at: '2026-11-22T09:00:00Z' });
  });
});

const P = '2e7a9c4d-5b3f-4a1e-8d6c-0f9b8a7e6d5c'; // the examples' probation
const probationStarted = (time: string) => at(exampleEvent(CONTROL_PROBATION_STARTED), time, `started-${time}`);
const probationGraduated = (time: string) => at(exampleEvent(CONTROL_PROBATION_GRADUATED), time, `graduated-${time}`);
const probationEnded = (time: string, by = 'rev-grace') => {
  const e = at(exampleEvent(CONTROL_PROBATION_ENDED), time, `ended-${time}`);
  e.data.ended_by = by;
  return e;
};
const orders = <T>(xs: T[]): T[][] =>
  xs.length <= 1 ? [xs] : xs.flatMap((x, i) => orders([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));

describe('probations: started and graduated by the router, ended early by an admin', () => {
  const start: ProbationRow = {
    id: P,
    workspace: 'acme-support',
    action: 'issue_store_credit',
    reason: 'new to the manifest of acme-support',
    manifest_version: 'sha256:9c1b0e',
    decisions: 50,
    approved_unchanged_rate: 0.95,
    started_at: '2026-12-01T09:00:00Z',
    state: 'active',
    reviewed: null,
    approved_unchanged: null,
    graduated_at: null,
    ended_by: null,
    end_reason: null,
    ended_at: null,
  };
  const graduation = { state: 'graduated', reviewed: 52, approved_unchanged: 50, graduated_at: '2026-12-04T10:00:00Z' } as const;
  const earlyEnd = {
    state: 'ended',
    ended_by: 'rev-grace',
    end_reason: 'billing-team signed off on the evals of the store-credit tool',
    ended_at: '2026-12-03T10:00:00Z',
  } as const;

  it('a start: active, with why, the manifest version and what graduating asks', () => {
    expect(outcomeRows([probationStarted('2026-12-01T09:00:00Z')]).probations).toEqual([start]);
  });

  it('a start then its graduation, in either order: one row, graduated with its evidence', () => {
    for (const events of orders([probationStarted('2026-12-01T09:00:00Z'), probationGraduated('2026-12-04T10:00:00Z')]))
      expect(outcomeRows(events).probations).toEqual([{ ...start, ...graduation }]);
  });

  it('a start then an early end, in either order: one row, ended with who and why', () => {
    for (const events of orders([probationStarted('2026-12-01T09:00:00Z'), probationEnded('2026-12-03T10:00:00Z')]))
      expect(outcomeRows(events).probations).toEqual([{ ...start, ...earlyEnd }]);
  });

  it('an end before its start is seen: kept, the start’s fields null (a graduation says what it asked)', () => {
    const unstarted = { ...start, reason: null, manifest_version: null, started_at: null };
    expect(outcomeRows([probationGraduated('2026-12-04T10:00:00Z')]).probations).toEqual([{ ...unstarted, ...graduation }]);
    expect(outcomeRows([probationEnded('2026-12-03T10:00:00Z')]).probations).toEqual([
      { ...unstarted, decisions: null, approved_unchanged_rate: null, ...earlyEnd },
    ]);
  });

  it('graduated and ended both: the first end stands, whatever the order; never active again; copies change nothing', () => {
    const events = [probationStarted('2026-12-01T09:00:00Z'), probationEnded('2026-12-03T10:00:00Z'), probationGraduated('2026-12-04T10:00:00Z')];
    for (const order of orders([...events, probationStarted('2026-12-01T09:00:00Z'), probationEnded('2026-12-05T10:00:00Z', 'rev-other')]))
      expect(outcomeRows(order).probations).toEqual([{ ...start, ...earlyEnd }]);
    const graduatedFirst = [probationStarted('2026-12-01T09:00:00Z'), probationGraduated('2026-12-02T10:00:00Z'), probationEnded('2026-12-03T10:00:00Z')];
    for (const order of orders(graduatedFirst))
      expect(outcomeRows(order).probations).toEqual([{ ...start, ...graduation, graduated_at: '2026-12-02T10:00:00Z' }]);
  });

  it('a graduation and an early end at the same instant: the graduation stands, in either order', () => {
    const a = { ...start, ...graduation };
    const b = { ...start, ...earlyEnd, ended_at: graduation.graduated_at };
    expect(mergeProbation(a, b)).toEqual(a);
    expect(mergeProbation(b, a)).toEqual(a);
  });

  it('probations are no decision, resolution, label or post-review', () => {
    expect(outcomeRows([probationStarted('2026-12-01T09:00:00Z'), probationGraduated('2026-12-04T10:00:00Z')])).toMatchObject({
      decisions: [],
      resolutions: [],
      labels: [],
      postReviews: [],
      compensations: [],
    });
  });
});
