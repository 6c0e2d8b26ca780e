import { ApprovalChange, ApprovalDetail, BatchAnswer, ClarificationAsked, InboxItem, InboxPage, Me, QueueSnapshot } from './index';

const item: InboxItem = {
  approval_id: '3f1c1d2e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
  decision_id: '0b1c2d3e-4f50-4162-8374-95a6b7c8d9e0',
  action: 'process_refund',
  workspace: 'acme',
  route: 'human_review',
  status: 'pending',
  reviewer_role: 'support_agent',
  assignee: 'ana',
  sla_deadline: '2031-01-01T10:15:00.000Z',
  time_left_seconds: 840,
  sla_paused: false,
  expires_at: '2031-01-02T10:00:00.000Z',
  urgency: 'normal',
  consequence: { severity: 'medium', reversible: true },
  amount: 120,
  summary: 'Refund $120.00 on order A-1',
  agent_summary: 'Customer was charged twice.',
  agent: { id: 'refund-bot', model: 'm-1', team: 'billing' },
  payload_hash: `sha256:${'a'.repeat(64)}`,
  created_at: '2031-01-01T10:00:00.000Z',
};

const detail: ApprovalDetail = {
  ...item,
  rendering: {
    headline: item.summary,
    details: [{ label: 'order_id', value: '"A-1"' }],
    consequence: 'medium, reversible',
    template: 'refund',
    text: 'Refund',
  },
  agent_summary_notice: 'The agent’s own words',
  parameters: { order_id: 'A-1', amount: 120 },
  parameters_schema: { type: 'object' },
  trace: [{ rule: 'amount_above_auto', detail: '120 >= 50', extra: 1 }],
  context: null,
  workflow: { id: 'wf-1', step_index: 1, completed_steps: [{ action: 'lookup_order', outcome: 'found' }] },
  confidence: { value: 0.7, basis: 'history', uncertainty_factors: [], recommended_review: false },
  on_timeout: 'deny',
  on_behalf_of: null,
  approvals: { required: 1, approved_by: [], remaining: 1 },
  edited: false,
  clarifications: [],
  rollback: null,
  agent_record: {
    agent_id: 'refund-bot',
    action: 'process_refund',
    considered: 0,
    counts: { approved: 0, denied: 0, expired: 0, reviewed: 0, rolled_back: 0, unreviewed: 0 },
    edited: 0,
    recent: [],
  },
  manifest_version: 'sha256:1',
  resolved_at: null,
  provenance: { from_the_action: [], from_the_policy: [], written_by_the_agent: [] },
};

const queue = {
  workspace: 'acme',
  role: 'support_agent',
  queue: 'post_review',
  depth: 2,
  unassigned: 1,
  oldest_age_seconds: 60,
  sla_breaches: 0,
  predicted_breaches: 1,
  paused: 0,
  prediction_horizon_seconds: 300,
  horizon_basis: 'default',
  unreviewed_24h: 3,
  backed_off_24h: 0,
};

const me = {
  id: 'ana',
  name: 'Ana',
  roles: ['support_agent'],
  workspaces: ['acme'],
  available: true,
  capacity: null,
  effective_capacity: 25,
  admin: false,
  auditor: false,
  created_at: item.created_at,
  updated_at: item.created_at,
};

const decided = {
  approval_id: item.approval_id,
  decision_id: item.decision_id,
  status: 'approved',
  approvals: ['ana'],
  required_approvals: 1,
  payload_hash: item.payload_hash,
};

const { consequence: _consequence, ...itemWithoutConsequence } = item;
const { horizon_basis: _basis, ...queueWithoutBasis } = queue;

describe('the reviewer API answers', () => {
  it.each([
    ['an inbox page', InboxPage, { items: [item], next_cursor: null, counts: { blocking: 1, post_review: 0 } }],
    ['an approval page', ApprovalDetail, detail],
    [
      'a live change',
      ApprovalChange,
      { change: 'resolved', approval_id: item.approval_id, status: 'denied', resolved_by: 'on_timeout:deny', item: { ...item, status: 'denied' } },
    ],
    ['the queues', QueueSnapshot, { as_of: item.created_at, queues: [queue] }],
    [
      'a batch, one decided and one refused',
      BatchAnswer,
      {
        results: [
          { approval_id: 'a', ok: true, result: decided },
          { approval_id: 'b', ok: false, error: { statusCode: 409, code: 'already_resolved', message: 'resolved' } },
        ],
      },
    ],
    [
      'a question to the agent',
      ClarificationAsked,
      {
        clarification_id: 'c',
        approval_id: 'a',
        status: 'clarifying',
        question: 'Which order?',
        requested_by: 'ana',
        requested_at: item.created_at,
        paused: { sla_ms: 1000, expiry_ms: null },
        resumes_by: item.created_at,
      },
    ],
    ['the caller', Me, me],
  ])('reads %s as the escalation writes it', (_name, schema, answer) => {
    expect(schema.safeParse(answer).error).toBeUndefined();
  });

  it('keeps what an agent adds to its own description', () => {
    expect(InboxItem.parse(item).agent).toEqual({ id: 'refund-bot', model: 'm-1', team: 'billing' });
  });

  it.each([
    ['a queue line without its horizon basis (the drift the console had)', QueueSnapshot, { as_of: item.created_at, queues: [queueWithoutBasis] }],
    ['an inbox line without its consequence', InboxPage, { items: [itemWithoutConsequence], next_cursor: null, counts: { blocking: 1, post_review: 0 } }],
    ['a status the approvals do not have', InboxItem, { ...item, status: 'lost' }],
    ['a change kind the stream does not send', ApprovalChange, { change: 'moved', approval_id: item.approval_id, status: 'pending', resolved_by: null, item }],
    ['a deadline that is not a timestamp', InboxItem, { ...item, sla_deadline: 'soon' }],
    ['a refused batch item without its error', BatchAnswer, { results: [{ approval_id: 'b', ok: false }] }],
    ['a profile with its roles as text', Me, { ...me, roles: 'support_agent' }],
  ])('refuses %s', (_name, schema, answer) => {
    expect(schema.safeParse(answer).success).toBe(false);
  });
});
