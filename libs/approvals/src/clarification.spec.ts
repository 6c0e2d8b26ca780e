import { ApprovalState } from './approval';
import {
  PausedApproval,
  clarificationDeadline,
  onAnswer,
  onClarificationLapsed,
  pauseClocks,
  pausedApprovalOf,
  pausedClocksOf,
  refuseClarification,
  resumeClocks,
  resumeFrom,
} from './clarification';
import { approvalState } from '../test/approval-state';

const now = new Date('2026-11-22T09:00:00Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

const approval = (overrides: Partial<ApprovalState> = {}): ApprovalState => approvalState({ onBehalfOf: 'customer:c-1', ...overrides });

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
    expect(resumeClocks(paused, answeredAt)).toEqual({
      slaDeadline: new Date(answeredAt.getTime() + 1_800_000),
      expiresAt: new Date(answeredAt.getTime() + 900_000),
    });
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
  // Asked 10 minutes ago with the built-in hour: the pause may last until 50 minutes from now.
  const askedAt = at(-600);
  const waiting = (overrides: Partial<PausedApproval> = {}): PausedApproval => ({
    status: 'clarifying',
    paused,
    clarificationDeadline: clarificationDeadline(askedAt, 3600),
    clarificationTimeoutSeconds: 3600,
    ...overrides,
  });
  it.each([
    [
      'while the approval waits on it: kept, clocks resumed from now',
      waiting(),
      { answered_at: null, requested_at: askedAt },
      { kind: 'answered', resume: { slaDeadline: at(600), expiresAt: at(300) } },
    ],
    [
      'after its limit, before the timer fired: the clocks run from the limit, not from now',
      waiting({ clarificationDeadline: clarificationDeadline(at(-100), 60), clarificationTimeoutSeconds: 60 }),
      { answered_at: null, requested_at: at(-100) },
      { kind: 'answered', resume: { slaDeadline: at(-40 + 600), expiresAt: at(-40 + 300) } },
    ],
    [
      'after a reviewer decided anyway: kept, nothing resumed',
      waiting({ status: 'denied' }),
      { answered_at: null, requested_at: askedAt },
      { kind: 'answered', resume: null },
    ],
    [
      'after its limit resumed the clocks: kept, nothing resumed',
      waiting({ status: 'pending', clarificationDeadline: null }),
      { answered_at: null, requested_at: askedAt },
      { kind: 'answered', resume: null },
    ],
    [
      'to an older question while a newer one holds the clocks: kept, nothing resumed',
      waiting(),
      { answered_at: null, requested_at: at(-7200) },
      { kind: 'answered', resume: null },
    ],
    ['a second time: the first answer stands', waiting({ status: 'pending' }), { answered_at: at(-60), requested_at: askedAt }, { kind: 'already_answered' }],
  ])('%s', (_name, approval, clarification, outcome) => {
    expect(onAnswer(approval, clarification, now)).toEqual(outcome);
  });
});

describe('a clarification nobody answers', () => {
  it.each([
    // limit, asked (seconds before now), paused clocks: the pause counts up to the limit only.
    ['the built-in hour, asked an hour ago', 3600, 3600, { slaMs: 1_800_000, expiryMs: 900_000 }, { slaDeadline: at(1800), expiresAt: at(900) }],
    ['a 1 s limit, the timer firing 5 s late', 1, 6, { slaMs: 60_000, expiryMs: null }, { slaDeadline: at(-5 + 60), expiresAt: null }],
    ['a missed SLA stays missed: due at once', 120, 130, { slaMs: 0, expiryMs: 10_000 }, { slaDeadline: at(-10), expiresAt: at(0) }],
  ])('%s: the clocks run again from the limit', (_name, limit, askedSecondsAgo, paused, resume) => {
    const deadline = clarificationDeadline(at(-askedSecondsAgo), limit);
    const outcome = onClarificationLapsed({ status: 'clarifying', paused, clarificationDeadline: deadline, clarificationTimeoutSeconds: limit }, now);
    expect(outcome).toEqual({ kind: 'resumed', resume, at: deadline });
  });

  it.each([
    ['its limit not reached yet', { status: 'clarifying' as const, clarificationDeadline: at(1) }],
    ['answered meanwhile', { status: 'pending' as const, clarificationDeadline: null }],
    ['decided meanwhile', { status: 'approved' as const, clarificationDeadline: at(-5) }],
  ])('nothing happens when %s', (_name, approval) => {
    expect(onClarificationLapsed({ paused: { slaMs: 1, expiryMs: 1 }, clarificationTimeoutSeconds: 60, ...approval }, now)).toEqual({ kind: 'not_due' });
  });

  it.each([
    ['before the limit', at(30), now],
    ['exactly at it', now, now],
    ['after it', at(-30), at(-30)],
    ['with no limit held', null, now],
  ])('the clocks run again from now or the limit, whichever is first: %s', (_name, deadline, from) => {
    expect(resumeFrom(deadline, now)).toEqual(from);
  });

  it('reads an approvals row', () => {
    const row = {
      status: 'clarifying' as const,
      paused_sla_ms: '5',
      paused_expiry_ms: null,
      clarification_deadline: at(10),
      clarification_timeout_seconds: 60,
    };
    expect(pausedApprovalOf(row)).toEqual({
      status: 'clarifying',
      paused: { slaMs: 5, expiryMs: null },
      clarificationDeadline: at(10),
      clarificationTimeoutSeconds: 60,
    });
  });
});
