// Clarifications as pure rules: asking pauses the approval's clocks (a reviewer waiting on
// the agent is not a reviewer missing the SLA); the first answer resumes them where they
// stopped. A pause lasts at most the manifest's `clarification_timeout_seconds`: an agent
// that never answers cannot hold a decision forever. Time is an input.
import { ApprovalState, ApprovalStatus } from './approval';
import { Actor, refuse } from './authority';
import { Refusal, refusals } from './refusals';

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

/** When a clarification asked at `requestedAt` stops holding the clocks, answered or not. */
export function clarificationDeadline(requestedAt: Date, timeoutSeconds: number): Date {
  return new Date(requestedAt.getTime() + timeoutSeconds * 1000);
}

/**
 * The moment the clocks run again from: now, or the clarification's deadline when that passed
 * first (an answer or a scan that comes late never adds the time after the limit to the pause).
 */
export function resumeFrom(deadline: Date | null, now: Date): Date {
  return deadline !== null && deadline < now ? deadline : now;
}

/** An approvals row as the clarification rules see it. */
export function pausedApprovalOf(row: {
  status: ApprovalStatus;
  paused_sla_ms: string | number | null;
  paused_expiry_ms: string | number | null;
  clarification_deadline: Date | null;
  clarification_timeout_seconds: number;
}): PausedApproval {
  return {
    status: row.status,
    paused: pausedClocksOf(row),
    clarificationDeadline: row.clarification_deadline,
    clarificationTimeoutSeconds: row.clarification_timeout_seconds,
  };
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
    return refusals.clarificationPending();
  }
  return null;
}

export type AnswerOutcome =
  /** The clarification has its answer already: the first one stands, nothing changes. */
  | { kind: 'already_answered' }
  /** Keep the answer; `resume` holds the new deadlines when the approval was waiting on it. */
  | { kind: 'answered'; resume: RunningClocks | null };

/** An approval as the clarification rules see it. */
export interface PausedApproval {
  status: ApprovalStatus;
  paused: PausedClocks;
  /** When the open clarification stops holding the clocks; null when none holds them. */
  clarificationDeadline: Date | null;
  clarificationTimeoutSeconds: number;
}

/** Whether this clarification is the one that stopped the approval's clocks (a later question may have). */
function holdsClocks(approval: PausedApproval, clarification: { requested_at: Date }): boolean {
  const deadline = approval.clarificationDeadline;
  return deadline !== null && deadline.getTime() === clarificationDeadline(clarification.requested_at, approval.clarificationTimeoutSeconds).getTime();
}

/**
 * The agent answered. The answer is kept; the clocks run again only if the approval is
 * still waiting on this very clarification (a reviewer may have decided it meanwhile, or its
 * limit passed, the clocks run again and perhaps a newer question stopped them).
 */
export function onAnswer(approval: PausedApproval, clarification: { answered_at: Date | null; requested_at: Date }, now: Date): AnswerOutcome {
  if (clarification.answered_at !== null) return { kind: 'already_answered' };
  if (approval.status !== 'clarifying' || !holdsClocks(approval, clarification)) return { kind: 'answered', resume: null };
  return { kind: 'answered', resume: resumeClocks(approval.paused, resumeFrom(approval.clarificationDeadline, now)) };
}

export type LapseOutcome =
  /** Nothing to do: answered, decided, or not yet due (another replica got there first, or the row changed). */
  | { kind: 'not_due' }
  /** The limit passed unanswered: the clocks run again from the deadline, the question stays open for its answer. */
  | { kind: 'resumed'; resume: RunningClocks; at: Date };

/** The timer of an unanswered clarification fired at `now`. */
export function onClarificationLapsed(approval: PausedApproval, now: Date): LapseOutcome {
  const deadline = approval.clarificationDeadline;
  if (approval.status !== 'clarifying' || deadline === null || deadline > now) return { kind: 'not_due' };
  return { kind: 'resumed', resume: resumeClocks(approval.paused, deadline), at: deadline };
}
