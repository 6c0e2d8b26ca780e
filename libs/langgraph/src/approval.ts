// The approval step of a graph: propose through the agent SDK, suspend the graph with
// interrupt() (its checkpointer keeps the suspension), and take the outcome the graph is
// resumed with (Command({ resume })) into its state, once the SDK has it verified.
import type { HitlAgent, Proposal, Resolution } from '@hitl/agent-sdk';
import { ResolutionTimeoutError, UnknownDecisionError } from '@hitl/agent-sdk';
import { ApprovalResolvedData } from '@hitl/contracts';
import type { RunnableConfig } from '@langchain/core/runnables';
import { Annotation, getConfig, interrupt, isGraphInterrupt } from '@langchain/langgraph';
import { approvalDecisionId } from './decision-id';

/** What `interrupt()` carries while a graph waits for an approval: `kind` tells it from other interrupts. */
export interface ApprovalRequest {
  kind: typeof APPROVAL_REQUEST;
  decision_id: string;
  action: string;
  parameters: Record<string, unknown>;
  summary: string;
}

export const APPROVAL_REQUEST = 'hitl.approval';

/** Whether an interrupt's value is an approval this adapter asked for. */
export function isApprovalRequest(value: unknown): value is ApprovalRequest {
  const v = value as Partial<ApprovalRequest> | null;
  return typeof v === 'object' && v !== null && v.kind === APPROVAL_REQUEST && typeof v.decision_id === 'string';
}

/** The part of HitlAgent the adapter uses (a HitlAgent, or a stand-in in a test). */
export type ApprovalAgent = Pick<HitlAgent, 'propose' | 'resolution'>;

export interface ApprovalOptions {
  /**
   * Tells apart several approvals asked for in one run of one node; default: the action. The
   * decision id is derived from the thread, the node's task and this key (`approvalDecisionId`).
   */
  key?: string;
  /** Mixed into the derived decision id (an HMAC) so no one can guess it; see `approvalDecisionId`. */
  secret?: string | Uint8Array;
  /** The node's config; default: the running node's (LangGraph's `getConfig()`). */
  config?: RunnableConfig;
}

/** The graph was resumed with something that is not the outcome of the decision it waits for. */
export class ApprovalResumeError extends Error {
  readonly code = 'approval_resume_mismatch';
  constructor(
    readonly decisionId: string,
    detail: string,
  ) {
    super(
      `the graph waiting for decision ${decisionId} was resumed with ${detail}; resume it with Command({ resume }) carrying that decision's resolution (resumeWhenResolved does)`,
    );
    this.name = 'ApprovalResumeError';
  }
}

/**
 * Asks for approval of `proposal` from inside a graph node and suspends the graph until the
 * outcome is there; returns the outcome (its `parameters` are what was approved, possibly
 * edited by a reviewer). Needs a checkpointer and a `thread_id`.
 *
 * - First run: proposes through the SDK (under a decision id derived from the thread and the
 *   node's task, or `proposal.decision_id`), then suspends the graph with `interrupt()`
 *   carrying an `ApprovalRequest`.
 * - Resumed (`Command({ resume: resolution })`, see `resumeWhenResolved`): LangGraph runs the
 *   node again from its start; `interrupt()` now answers with the resolution, which is checked
 *   (the contract's shape, this decision, this action); what is returned is the outcome the
 *   agent SDK received and verified (the signature, the executor's rule), whatever the resume
 *   value says (`verifiedOutcome`). Nothing is proposed again.
 * - A re-run before the suspension was saved (a crash between the two) proposes the same
 *   decision id again, which the SDK answers without publishing anything new.
 *
 * Always suspends, even when a policy decides at once: the driver resumes such a graph
 * straight away. Call it before anything in the node with side effects (the node runs again).
 */
export async function requireApproval(agent: ApprovalAgent, proposal: Proposal, options: ApprovalOptions = {}): Promise<Resolution> {
  const config = options.config ?? getConfig();
  const configurable = (config?.configurable ?? {}) as Record<string, unknown>;
  const threadId = configurable['thread_id'];
  const checkpointNs = configurable['checkpoint_ns'];
  if (proposal.decision_id === undefined && (typeof threadId !== 'string' || typeof checkpointNs !== 'string' || !checkpointNs)) {
    throw new Error(
      'requireApproval: run it inside a graph node compiled with a checkpointer and invoked with configurable.thread_id (or give the proposal a decision_id)',
    );
  }
  const decisionId =
    proposal.decision_id ??
    approvalDecisionId({ threadId: threadId as string, checkpointNs: checkpointNs as string, key: options.key ?? proposal.action, secret: options.secret });
  const request: ApprovalRequest = {
    kind: APPROVAL_REQUEST,
    decision_id: decisionId,
    action: proposal.action,
    parameters: proposal.parameters,
    summary: proposal.summary,
  };

  // Resumed: interrupt() answers with the resume value. Not resumed: it throws the
  // suspension, which is thrown on once the proposal is with the broker.
  let suspension: unknown;
  let resumed: unknown;
  try {
    resumed = interrupt(request);
  } catch (error) {
    if (!isGraphInterrupt(error)) throw error;
    suspension = error;
  }
  if (suspension === undefined) return verifiedOutcome(agent, outcomeOf(resumed, request));
  try {
    // Resolves or times out only once the broker has the proposal; an invalid proposal, a
    // conflict or a broker outage rejects, and the node fails with it.
    await agent.propose(
      { ...proposal, decision_id: decisionId },
      { timeoutMs: 0, checkpoint: { langgraph: { thread_id: threadId ?? null, checkpoint_ns: checkpointNs ?? null, key: options.key ?? proposal.action } } },
    );
  } catch (error) {
    if (!(error instanceof ResolutionTimeoutError)) throw error;
  }
  throw suspension;
}

/** The resume value, checked: the outcome of this decision and this action, in the contract's shape. */
export function outcomeOf(resumed: unknown, request: Pick<ApprovalRequest, 'decision_id' | 'action'>): Resolution {
  const parsed = ApprovalResolvedData.safeParse(resumed);
  if (!parsed.success) throw new ApprovalResumeError(request.decision_id, `a value that is no resolution (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  const resolution = parsed.data;
  if (resolution.decision_id !== request.decision_id)
    throw new ApprovalResumeError(request.decision_id, `the outcome of another decision (${resolution.decision_id})`);
  if (resolution.action !== request.action) throw new ApprovalResumeError(request.decision_id, `an outcome of another action (${resolution.action})`);
  return resolution;
}

/**
 * The outcome the agent SDK received and verified for the decision a resume value claims to
 * settle. Whoever may resume a graph (an API client of a LangGraph server, a script with the
 * checkpointer's database) can put any value there, however well-formed: the value only wakes
 * the node, the SDK's verified outcome (its signature, the executor's rule) is what it takes.
 * Before that outcome the node fails and nothing runs. LangGraph keeps a resume value with
 * the suspended task, so a forged one is read again on the next resume: it is ignored then too,
 * and the graph goes on with the real outcome.
 */
export async function verifiedOutcome(agent: Pick<ApprovalAgent, 'resolution'>, claimed: Resolution): Promise<Resolution> {
  const decisionId = claimed.decision_id;
  try {
    return await agent.resolution(decisionId, { timeoutMs: 0 });
  } catch (error) {
    if (error instanceof ResolutionTimeoutError) throw new ApprovalResumeError(decisionId, 'an outcome the agent has not received (the decision is pending)');
    if (error instanceof UnknownDecisionError)
      throw new ApprovalResumeError(decisionId, 'an outcome of a decision this agent does not know (start it on the pending store that proposed it)');
    throw error;
  }
}

/** The state an approval node writes: `resolution`. Spread into your own: `Annotation.Root({ ...ApprovalAnnotation.spec, ... })`. */
export const ApprovalAnnotation = Annotation.Root({
  resolution: Annotation<Resolution | undefined>(),
});

export interface ApprovalNodeOptions extends Omit<ApprovalOptions, 'config'> {
  /** The state key the outcome is written to; default `resolution`. */
  stateKey?: string;
}

/**
 * A graph node that asks for approval of the proposal `build` makes from the state and
 * writes the outcome to the state (`resolution`, or `stateKey`):
 *
 *   graph.addNode('approve', approvalNode(agent, (s) => ({ action: 'process_refund', parameters: s.refund, ... })))
 *
 * `build` runs again when the graph resumes; it must give the same proposal from the same state.
 */
export function approvalNode<State, Key extends string = 'resolution'>(
  agent: ApprovalAgent,
  build: (state: State, config: RunnableConfig) => Proposal | Promise<Proposal>,
  options: ApprovalNodeOptions & { stateKey?: Key } = {},
): (state: State, config: RunnableConfig) => Promise<Record<Key, Resolution>> {
  const { stateKey = 'resolution' as Key, ...approval } = options;
  return async (state, config) => {
    const proposal = await build(state, config);
    const resolution = await requireApproval(agent, proposal, { ...approval, config });
    return { [stateKey]: resolution } as Record<Key, Resolution>;
  };
}
