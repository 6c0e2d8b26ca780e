// Canaries: known-answer decisions (the manifest's `canaries`) mixed into reviewers' queues
// to measure attention, as labeling services do with gold questions. A canary looks like
// any other item to a reviewer; answering it scores them and nothing else happens: it is
// never executed, never resolved for an agent, never calibrated. Pure.
import { createHash } from 'node:crypto';
import { APPROVAL_CANARY_SCORED, AnyEvent, CanaryAnswer, CanaryExpected, newEvent, payloadHash } from '@hitl/contracts';
import { ApprovalStatus } from './approval';
import { refuse } from './authority';
import { Decided, ESCALATION_SOURCE, Refused, Review, ReviewCommand, decideReview } from './review';

/** What a canary approval carries besides its look-alike request (stored with it, never shown). */
export interface CanaryMark {
  expected: CanaryExpected;
  /** Why that answer is right, from the manifest. */
  why: string;
  /** Which of the manifest's `canaries.items` it was made from. */
  item: number;
}

/** How a scored canary is stored as the approval's resolution. */
export interface CanaryScore {
  canary: true;
  reviewer_id: string | null;
  expected: CanaryExpected;
  answered: CanaryAnswer | null;
  correct: boolean | null;
  why: string;
}

/**
 * A number in [0, 1) drawn from an id: the same id gives the same draw on every replica and
 * every redelivery, so whether an approval brings a canary never depends on who handled it.
 */
export function drawOf(id: string, purpose: string): number {
  const hex = createHash('sha256').update(`${purpose}:${id.toLowerCase()}`, 'utf8').digest('hex').slice(0, 12);
  return parseInt(hex, 16) / 2 ** 48;
}

/** Whether opening this approval also mixes a canary into the queue, at `rate`. */
export function bringsCanary(approvalId: string, rate: number): boolean {
  return rate > 0 && drawOf(approvalId, 'canary') < rate;
}

/** Which of `count` eligible items the canary is made from (-1: none is eligible). */
export function canaryIndex(approvalId: string, count: number): number {
  return count <= 0 ? -1 : Math.min(count - 1, Math.floor(drawOf(approvalId, 'canary-item') * count));
}

/** Whether an answer is the expected one: an edit approves (with changes); null: not answered. */
export function scoreCanary(expected: CanaryExpected, answered: CanaryAnswer | null): boolean | null {
  if (answered === null) return null;
  return (answered === 'deny') === (expected === 'deny');
}

/** The event that marks a canary on the record and scores its reviewer (approval.updated; never approval.resolved). */
export function canaryScored(review: Review, canary: CanaryMark, reviewerId: string | null, answered: CanaryAnswer | null, now: Date): AnyEvent {
  return newEvent(
    APPROVAL_CANARY_SCORED,
    {
      decision_id: review.decisionId,
      approval_id: review.approvalId,
      reviewer_id: reviewerId,
      reviewer_role: review.escalationPath[review.tier] ?? review.escalationPath[0],
      action: review.action,
      expected: canary.expected,
      answered,
      correct: scoreCanary(canary.expected, answered),
      why: canary.why,
    },
    { source: ESCALATION_SOURCE, workspaceid: review.workspace, time: now },
  );
}

const score = (canary: CanaryMark, reviewerId: string | null, answered: CanaryAnswer | null): CanaryScore => ({
  canary: true,
  reviewer_id: reviewerId,
  expected: canary.expected,
  answered,
  correct: scoreCanary(canary.expected, answered),
  why: canary.why,
});

/**
 * A reviewer's command on a canary. Approve, deny or edit are refused exactly as on a real
 * item (role, workspace, a stale payload), so nothing tells them apart; otherwise the
 * canary ends scored: the reviewer is told approved or denied as usual, and the only event
 * is canary_scored. A question to the agent pauses it as usual but asks nobody (no agent
 * proposed it); a rollback is refused as for any item reviewed before it ran.
 */
export function decideCanary(review: Review, canary: CanaryMark, command: ReviewCommand, now: Date): Decided | Refused {
  switch (command.act) {
    case 'approve':
    case 'deny':
    case 'edit': {
      const refusal = refuse(command.by, review, command.act, command.shownPayloadHash);
      if (refusal) return { kind: 'refused', refusal };
      const answered: CanaryAnswer = command.act;
      const status: ApprovalStatus & ('approved' | 'denied') = answered === 'deny' ? 'denied' : 'approved';
      // The answer the reviewer gets is the usual one: an edit's carries the edited payload.
      const shown = command.act === 'edit' ? { parameters: command.parameters, payloadHash: payloadHash(review.action, command.parameters), edited: true } : {};
      return {
        kind: 'decided',
        status,
        review: { ...review, ...shown, status, approvedBy: status === 'approved' ? [...review.approvedBy, command.by.id] : review.approvedBy },
        changes: [{ kind: 'finish', status, resolution: score(canary, command.by.id, answered) }],
        events: [canaryScored(review, canary, command.by.id, answered, now)],
      };
    }
    case 'clarify':
    case 'rollback': {
      const verdict = decideReview(review, command, now);
      // Nobody proposed it: nothing may reach an agent.
      return verdict.kind === 'refused' ? verdict : { ...verdict, events: [] };
    }
  }
}

/** A canary whose deadline passed unanswered: missed by its assignee (or by its role's queue), and nothing else. */
export function canaryMissed(review: Review, canary: CanaryMark, now: Date): { status: ApprovalStatus; resolution: CanaryScore; event: AnyEvent } {
  return {
    status: 'expired',
    resolution: score(canary, review.assignee, null),
    event: canaryScored(review, canary, review.assignee, null, now),
  };
}
