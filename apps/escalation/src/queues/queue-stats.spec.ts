import { QueueStats } from '@hitl/reviewer-api';
import { DEFAULT_HORIZON_SECONDS, OpenApproval, QueuePace, UnreviewedCounts, aggregateOpen, horizonsOf, predictionHorizon, queueStats } from './queue-stats';

const now = new Date('2026-11-22T09:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

function open(overrides: Partial<OpenApproval> = {}): OpenApproval {
  return {
    workspace: 'acme',
    role: 'support_agent',
    route: 'human_review',
    status: 'pending',
    assignee: 'alice',
    created_at: at(-10),
    sla_deadline: at(50),
    ...overrides,
  };
}

/** What GET /queues computes: the rule for the open approvals (the SQL does the same), then the lines. */
const stats = (approvals: OpenApproval[], paces: QueuePace[] = [], unreviewed: UnreviewedCounts[] = []) => {
  const horizons = horizonsOf(paces);
  return queueStats(aggregateOpen(approvals, horizons, now), unreviewed, horizons, now);
};
const pace = (median: number, decided = 10, role = 'support_agent'): QueuePace => ({ workspace: 'acme', role, median_seconds: median, decided });

describe('the prediction horizon', () => {
  it.each([
    ['no decisions in the last day', undefined, { seconds: DEFAULT_HORIZON_SECONDS, basis: 'default' }],
    ['a pace without decisions', pace(120, 0), { seconds: DEFAULT_HORIZON_SECONDS, basis: 'default' }],
    ['a median of 12 minutes', pace(720), { seconds: 720, basis: 'median_24h' }],
    ['a fast queue: shorter than the default', pace(42.4), { seconds: 42, basis: 'median_24h' }],
    ['a nonsensical median', pace(Number.NaN), { seconds: DEFAULT_HORIZON_SECONDS, basis: 'default' }],
  ])('%s', (_name, p, expected) => {
    expect(predictionHorizon(p)).toEqual(expected);
  });
});

describe('queue stats', () => {
  type Expected = Partial<
    Record<'depth' | 'unassigned' | 'oldest_age_seconds' | 'sla_breaches' | 'predicted_breaches' | 'paused' | 'prediction_horizon_seconds', number>
  >;
  it.each<[string, OpenApproval[], QueuePace[], Expected]>([
    ['one on time', [open()], [], { depth: 1, unassigned: 0, oldest_age_seconds: 600, sla_breaches: 0, predicted_breaches: 0, paused: 0 }],
    ['unassigned ones counted', [open({ assignee: null }), open(), open({ assignee: null })], [], { depth: 3, unassigned: 2 }],
    ['the oldest by creation', [open({ created_at: at(-90) }), open({ created_at: at(-5) })], [], { oldest_age_seconds: 5400 }],
    ['a breach: deadline passed', [open({ sla_deadline: at(-1) })], [], { sla_breaches: 1, predicted_breaches: 1 }],
    ['no breach at the deadline itself', [open({ sla_deadline: now })], [], { sla_breaches: 0, predicted_breaches: 1 }],
    [
      'predicted with no history: due within 5 minutes',
      [open({ sla_deadline: at(4) }), open({ sla_deadline: at(6) })],
      [],
      { sla_breaches: 0, predicted_breaches: 1, prediction_horizon_seconds: 300 },
    ],
    [
      'predicted with a 30-minute median',
      [open({ sla_deadline: at(4) }), open({ sla_deadline: at(29) }), open({ sla_deadline: at(31) })],
      [pace(1800)],
      { predicted_breaches: 2, prediction_horizon_seconds: 1800 },
    ],
    ['a fast queue predicts fewer', [open({ sla_deadline: at(2) })], [pace(60)], { predicted_breaches: 0, prediction_horizon_seconds: 60 }],
    [
      'another role`s pace does not count',
      [open({ sla_deadline: at(20) })],
      [pace(1800, 10, 'finance_lead')],
      { predicted_breaches: 0, prediction_horizon_seconds: 300 },
    ],
    [
      'paused ones: in the depth, never breaching',
      [open({ status: 'clarifying', sla_deadline: null }), open({ status: 'clarifying', sla_deadline: at(-5) })],
      [],
      { depth: 2, paused: 2, sla_breaches: 0, predicted_breaches: 0 },
    ],
    ['no SLA deadline: never breaching', [open({ sla_deadline: null })], [], { depth: 1, sla_breaches: 0, predicted_breaches: 0 }],
    ['created a moment in the future (clock skew): age 0', [open({ created_at: at(1) })], [], { oldest_age_seconds: 0 }],
  ])('%s', (_name, approvals, paces, expected) => {
    const [q] = stats(approvals, paces);
    expect(q).toMatchObject(expected);
  });

  it('writes each line as the reviewer API reads it, the horizon basis included', () => {
    const lines = stats([open(), open({ role: 'finance_lead', status: 'clarifying', sla_deadline: null })], [pace(42.4)]);
    expect(lines.map((q) => QueueStats.safeParse(q).error)).toEqual([undefined, undefined]);
    expect(lines.map((q) => q.horizon_basis)).toEqual(['default', 'median_24h']);
  });

  it('closed approvals are not in any queue', () => {
    expect(stats([open({ status: 'approved' }), open({ status: 'expired' })])).toEqual([]);
  });

  it('one line per workspace and role, in order', () => {
    const lines = stats([
      open({ workspace: 'globex', role: 'support_agent' }),
      open({ role: 'finance_lead' }),
      open(),
      open({ workspace: 'globex', role: 'support_agent' }),
    ]);
    expect(lines.map((q) => [q.workspace, q.role, q.depth])).toEqual([
      ['acme', 'finance_lead', 1],
      ['acme', 'support_agent', 1],
      ['globex', 'support_agent', 2],
    ]);
  });

  it('post-reviews are a queue of their own beside the blocking one: depth, and the reviews about to end unreviewed', () => {
    const lines = stats([
      open(),
      open({ route: 'escalate' }),
      open({ route: 'post_review', sla_deadline: at(3) }),
      open({ route: 'post_review', assignee: null }),
    ]);
    expect(lines.map((q) => [q.queue, q.depth, q.unassigned, q.predicted_breaches])).toEqual([
      ['blocking', 2, 0, 0],
      ['post_review', 2, 1, 1],
    ]);
  });

  it('post-reviews that ended unreviewed in the last day show in their queue, even when it is empty now', () => {
    const lines = stats([open()], [], [{ workspace: 'acme', role: 'support_agent', window_closed: 4, not_queued: 9 }]);
    expect(lines.map((q) => [q.queue, q.depth, q.unreviewed_24h, q.backed_off_24h])).toEqual([
      ['blocking', 1, 0, 0],
      ['post_review', 0, 4, 9],
    ]);
  });

  it('a role with nothing unreviewed and nothing open has no line', () => {
    expect(stats([], [], [{ workspace: 'acme', role: 'support_agent', window_closed: 0, not_queued: 0 }])).toEqual([]);
  });
});
