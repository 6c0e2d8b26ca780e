import { ApprovalState } from '@hitl/approvals';
import { onAnswer, pauseClocks, pausedClocksOf, refuseClarification, resumeClocks } from './clarification-rules';

const now = new Date('2026-11-22T09:00:00Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

function approval(overrides: Partial<ApprovalState> = {}): ApprovalState {
  return {
    workspace: 'acme',
    route: 'human_review',
    status: 'pending',
    escalationPath: ['support_agent', 'finance_lead'],
    actionPath: ['support_agent', 'finance_lead'],
    tier: 0,
    assignee: 'alice',
    triedAtTier: [],
    urgency: 'normal',
    slaMinutes: { low: 240, normal: 60, high: 15, critical: 5 },
    onTimeout: 'deny',
    approvalTimeoutSeconds: 900,
    approveOnTimeoutAllowed: false,
    onBehalfOf: 'customer:c-1',
    requiredApprovals: 1,
    approvedBy: [],
    payloadHash: 'sha256:aaa',
    ...overrides,
  };
}

describe('pausing the clocks for a clarification', () => {
  it.each([
    ['both running', { slaDeadline: at(1800), expiresAt: at(900) }, { slaMs: 1_800_000, expiryMs: 900_000 }],
    ['no expiry (post_review)', { slaDeadline: at(60.5), expiresAt: null }, { slaMs: 60_500, expiryMs: null }],
    ['the SLA already missed: nothing left, it fires when the clocks run again', { slaDeadline: at(-30), expiresAt: at(10) }, { slaMs: 0, expiryMs: 10_000 }],
    ['no clock at all', { slaDeadline: null, expiresAt: null }, { slaMs: null, expiryMs: null }],
  ])('%s', (_name, clocks, paused) => {
    expect(pauseClocks(clocks, now)).toEqual(paused);
  });

  it('resumes where they stopped, however long the answer took', () => {
    const paused = pauseClocks({ slaDeadline: at(1800), expiresAt: at(900) }, now);
    const answeredAt = new Date(now.getTime() + 3 * 3_600_000);
    expect(resumeClocks(paused, answeredAt)).toEqual({ slaDeadline: new Date(answeredAt.getTime() + 1_800_000), expiresAt: new Date(answeredAt.getTime() + 900_000) });
    expect(resumeClocks({ slaMs: 5, expiryMs: null }, now)).toEqual({ slaDeadline: new Date(now.getTime() + 5), expiresAt: null });
  });

  it('reads the paused columns PostgreSQL returns as text', () => {
    expect(pausedClocksOf({ paused_sla_ms: '1800000', paused_expiry_ms: null })).toEqual({ slaMs: 1_800_000, expiryMs: null });
  });
});

describe('who may ask the agent', () => {
  const alice = { id: 'alice', roles: ['support_agent'], workspaces: ['acme'] };
  it.each([
    ['a reviewer of the tier', alice, approval(), null],
    ['a reviewer ranked above it', { id: 'dan', roles: ['finance_lead'], workspaces: ['acme'] }, approval(), null],
    ['someone of another workspace', { ...alice, workspaces: ['globex'] }, approval(), 'wrong_workspace'],
    ['someone without the role', { id: 'farah', roles: ['team_lead'], workspaces: ['acme'] }, approval(), 'wrong_role'],
    ['anyone, while a question already waits', alice, approval({ status: 'clarifying' }), 'clarification_pending'],
    ['anyone, once it is decided', alice, approval({ status: 'approved' }), 'already_resolved'],
  ])('%s', (_name, who, state, code) => {
    const refusal = refuseClarification(who, state);
    expect(refusal?.code ?? null).toBe(code);
    if (code === 'clarification_pending') expect(refusal?.status).toBe(409);
  });
});

describe('the agent answers', () => {
  const paused = { slaMs: 600_000, expiryMs: 300_000 };
  it.each([
    ['while the approval waits on it: kept, clocks resumed', 'clarifying' as const, null, { kind: 'answered', resume: { slaDeadline: at(600), expiresAt: at(300) } }],
    ['after a reviewer decided anyway: kept, nothing resumed', 'denied' as const, null, { kind: 'answered', resume: null }],
    ['a second time: the first answer stands', 'pending' as const, at(-60), { kind: 'already_answered' }],
  ])('%s', (_name, status, answeredAt, outcome) => {
    expect(onAnswer({ status, paused }, { answered_at: answeredAt }, now)).toEqual(outcome);
  });
});
