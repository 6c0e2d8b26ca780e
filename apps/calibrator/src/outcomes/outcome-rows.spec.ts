import { APPROVAL_REQUESTED, APPROVAL_RESOLVED, AnyEvent, DECISION_PROPOSED, OUTCOME_LABELED, exampleEvent } from '@hitl/contracts';
import { outcomeRows, policyVerdict } from './outcome-rows';

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
    expect(outcomeRows([exampleEvent('hitl.action.executed.v1'), exampleEvent('hitl.approval.assigned.v1')])).toEqual({
      decisions: [],
      resolutions: [],
      labels: [],
    });
  });
});
