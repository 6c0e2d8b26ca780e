// Clarifications as pure rules: asking pauses the approval's clocks (a reviewer waiting on
// the agent is not a reviewer missing the SLA); the first answer resumes them where they
// stopped. Time is an input.
import { Actor, ApprovalState, ApprovalStatus, Refusal, refuse } from '@hitl/approvals';

/** Deadlines while the clocks run; null where there is none (post_review has no expiry). */
export interface RunningClocks {
  slaDeadline: Date | null;
  expiresAt: Date | null;
}

/** What was left of each clock when it stopped, in milliseconds. */
export interface PausedClocks {
  slaMs: number | null;
  expiryMs: number | null;
}

const left = (deadline: Date | null, now: Date) => (deadline === null ? null : Math.max(0, deadline.getTime() - now.getTime()));
const from = (ms: number | null, now: Date) => (ms === null ? null : new Date(now.getTime() + ms));

/** Stops both clocks; a deadline already passed keeps nothing (it fires as soon as they run again). */
export function pauseClocks(clocks: RunningClocks, now: Date): PausedClocks {
  return { slaMs: left(clocks.slaDeadline, now), expiryMs: left(clocks.expiresAt, now) };
}

/** Starts both clocks again with what they had left. */
export function resumeClocks(paused: PausedClocks, now: Date): RunningClocks {
  return { slaDeadline: from(paused.slaMs, now), expiresAt: from(paused.expiryMs, now) };
}

/** PostgreSQL's bigint columns (strings) as paused clocks. */
export function pausedClocksOf(row: { paused_sla_ms: string | number | null; paused_expiry_ms: string | number | null }): PausedClocks {
  const ms = (v: string | number | null) => (v === null ? null : Number(v));
  return { slaMs: ms(row.paused_sla_ms), expiryMs: ms(row.paused_expiry_ms) };
}

/**
 * May `actor` ask the agent a question about this approval? Whoever may decide it may ask
 * (libs/approvals), one open question at a time: the clocks are already stopped.
 */
export function refuseClarification(actor: Actor, state: ApprovalState): Refusal | null {
  const refusal = refuse(actor, state, 'clarify');
  if (refusal) return refusal;
  if (state.status === 'clarifying') {
    return { status: 409, code: 'clarification_pending', message: 'a question to the agent is already waiting for its answer; the clocks stay paused until it comes' };
  }
  return null;
}

export type AnswerOutcome =
  /** The clarification has its answer already: the first one stands, nothing changes. */
  | { kind: 'already_answered' }
  /** Keep the answer; `resume` holds the new deadlines when the approval was waiting on it. */
  | { kind: 'answered'; resume: RunningClocks | null };

/**
 * The agent answered. The answer is kept; the clocks run again only if the approval is
 * still waiting on a clarification (a reviewer may have decided it meanwhile).
 */
export function onAnswer(approval: { status: ApprovalStatus; paused: PausedClocks }, clarification: { answered_at: Date | null }, now: Date): AnswerOutcome {
  if (clarification.answered_at !== null) return { kind: 'already_answered' };
  return { kind: 'answered', resume: approval.status === 'clarifying' ? resumeClocks(approval.paused, now) : null };
}
