// The SDK's error catalogue: every error has a stable `code` and a message that says what to do.
import { Reason, ResolutionStatus } from '@hitl/contracts';

export type AgentErrorCode =
  | 'invalid_decision'
  | 'decision_conflict'
  | 'resolution_timeout'
  | 'not_approved'
  | 'payload_mismatch'
  | 'unknown_decision'
  | 'agent_not_started'
  | 'agent_stopped'
  | 'invalid_options'
  | 'broker_unavailable'
  | 'taken_over'
  | 'handback_timeout';

export abstract class HitlAgentError extends Error {
  abstract readonly code: AgentErrorCode;
}

/** The decision breaks the wire contract; nothing was published. */
export class InvalidDecisionError extends HitlAgentError {
  readonly code = 'invalid_decision';
  constructor(
    readonly fields: string[],
    detail: string,
  ) {
    super(`the decision breaks the contract (${detail}); fix ${fields.join(', ')} and propose it again`);
    this.name = 'InvalidDecisionError';
  }
}

/** The same decision_id was proposed with a different action or parameters. */
export class DecisionConflictError extends HitlAgentError {
  readonly code = 'decision_conflict';
  constructor(readonly decisionId: string) {
    super(
      `decision ${decisionId} was already proposed with a different action or parameters; the first proposal stands. ` +
        'Await resolution(decisionId) for it, or propose the new content under a new decision_id',
    );
    this.name = 'DecisionConflictError';
  }
}

/** No resolution within the time asked for; the decision stays pending. */
export class ResolutionTimeoutError extends HitlAgentError {
  readonly code = 'resolution_timeout';
  constructor(
    readonly decisionId: string,
    readonly timeoutMs: number,
  ) {
    super(`decision ${decisionId} is still pending after ${timeoutMs} ms; it can be awaited again with resolution("${decisionId}")`);
    this.name = 'ResolutionTimeoutError';
  }
}

/** guard() refused: the decision was not approved. */
export class NotApprovedError extends HitlAgentError {
  readonly code = 'not_approved';
  constructor(
    readonly decisionId: string,
    readonly status: ResolutionStatus,
    readonly reasons: Reason[],
  ) {
    const why = reasons.map((r) => `${r.rule}: ${r.detail}`).join('; ') || 'no reason given';
    super(`decision ${decisionId} was ${status}, not approved (${why}); do not run it, tell the user or propose something else`);
    this.name = 'NotApprovedError';
  }
}

/** guard() refused: what was approved is not what the resolution carries. */
export class PayloadMismatchError extends HitlAgentError {
  readonly code = 'payload_mismatch';
  constructor(
    readonly decisionId: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `decision ${decisionId}: the approved payload_hash is ${expected} but action and parameters hash to ${actual}; ` +
        'the resolution was altered after approval, so nothing was run. Run only an unmodified approval.resolved',
    );
    this.name = 'PayloadMismatchError';
  }
}

/** resolution() was asked about a decision this agent neither has pending nor has seen resolved. */
export class UnknownDecisionError extends HitlAgentError {
  readonly code = 'unknown_decision';
  constructor(readonly decisionId: string) {
    super(`decision ${decisionId} is neither pending for this agent nor recently resolved; check the id, or propose it first`);
    this.name = 'UnknownDecisionError';
  }
}

export class AgentNotStartedError extends HitlAgentError {
  readonly code = 'agent_not_started';
  constructor(operation: string) {
    super(`${operation} needs a started agent; call await agent.start() first`);
    this.name = 'AgentNotStartedError';
  }
}

/** The agent stopped while a caller waited; the decision stays pending. */
export class AgentStoppedError extends HitlAgentError {
  readonly code = 'agent_stopped';
  constructor(readonly decisionId: string) {
    super(`the agent stopped while decision ${decisionId} was pending; start an agent again and await resolution("${decisionId}")`);
    this.name = 'AgentStoppedError';
  }
}

/** No person returned the session within the time asked for; the handoff stays open and handedBack() can await it again. */
export class HandbackTimeoutError extends HitlAgentError {
  readonly code = 'handback_timeout';
  constructor(
    readonly handoffId: string,
    readonly timeoutMs: number,
  ) {
    super(`no person returned handoff ${handoffId} within ${timeoutMs} ms; await it again with handedBack("${handoffId}")`);
    this.name = 'HandbackTimeoutError';
  }
}

/** The agent stopped while a caller waited for a person; the handoff stays open, and onHandback() gets it after the next start. */
export class HandoffAbandonedError extends HitlAgentError {
  readonly code = 'agent_stopped';
  constructor(readonly handoffId: string) {
    super(`the agent stopped while handoff ${handoffId} waited for a person; register onHandback() to resume it after the next start`);
    this.name = 'HandoffAbandonedError';
  }
}

/** The agent cannot be built: an option is missing or unreadable (its key, the services' keys). */
export class AgentOptionsError extends HitlAgentError {
  readonly code = 'invalid_options';
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(`HitlAgent option ${option}: ${detail}`);
    this.name = 'AgentOptionsError';
  }
}

/**
 * The broker did not acknowledge an event for the whole outage the agent rides out
 * (`brokerOutageMs`). A proposal stays in the pending store, signed as it was: proposing the
 * same decision again, or the next start, sends the very same event (the router takes it once).
 */
export class BrokerUnavailableError extends HitlAgentError {
  readonly code = 'broker_unavailable';
  constructor(
    readonly topic: string,
    readonly outageMs: number,
    readonly decisionId: string | null,
    override readonly cause: Error,
  ) {
    const what = decisionId ? `decision ${decisionId}` : `an event on ${topic}`;
    super(
      `the broker did not acknowledge ${what} for ${Math.round(outageMs / 1000)} s (brokerOutageMs), so the agent gave up: ${cause.message}. ` +
        (decisionId
          ? `It may or may not have been sent; it stays pending, and proposing it again (or the next start) sends the same event once the broker is back`
          : 'Send it again once the broker is back'),
    );
    this.name = 'BrokerUnavailableError';
  }
}

/** Another replica took this decision over (this one stopped renewing its hold); that replica acts on its outcome. */
export class DecisionTakenOverError extends HitlAgentError {
  readonly code = 'taken_over';
  constructor(readonly decisionId: string) {
    super(
      `decision ${decisionId} was taken over by another replica of the agent (this one did not renew its lease in time); that replica acts on its outcome, this one must not`,
    );
    this.name = 'DecisionTakenOverError';
  }
}
