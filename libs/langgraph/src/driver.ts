// Driving a graph that waits for approvals: find what it waits for, await the outcomes
// through the agent SDK, and resume the graph with them.
import type { Resolution } from '@hitl/agent-sdk';
import type { RunnableConfig } from '@langchain/core/runnables';
import { Command, INTERRUPT, type Interrupt } from '@langchain/langgraph';
import { ApprovalAgent, ApprovalRequest, isApprovalRequest } from './approval';

/** An approval a suspended graph waits for: the interrupt's id (to resume it) and its request. */
export interface PendingApproval {
  interruptId: string | undefined;
  request: ApprovalRequest;
}

/** What a compiled graph offers that the driver uses (a CompiledStateGraph, or any Pregel graph). */
export interface ResumableGraph<Output = unknown> {
  invoke(input: unknown, config?: RunnableConfig): Promise<Output>;
  getState(config: RunnableConfig): Promise<{ tasks: ReadonlyArray<{ interrupts?: ReadonlyArray<Interrupt> }> }>;
}

/**
 * The approvals a graph waits for, from `graph.invoke`'s result (its `__interrupt__`) or from
 * `graph.getState(config)` (its tasks' interrupts). Other interrupts are left out.
 */
export function pendingApprovals(from: unknown): PendingApproval[] {
  const interrupts: Interrupt[] = [];
  const value = from as { [INTERRUPT]?: unknown; tasks?: unknown } | null;
  if (value && Array.isArray(value[INTERRUPT])) interrupts.push(...(value[INTERRUPT] as Interrupt[]));
  if (value && Array.isArray(value.tasks)) for (const task of value.tasks as { interrupts?: Interrupt[] }[]) interrupts.push(...(task.interrupts ?? []));
  const seen = new Set<string>();
  const pending: PendingApproval[] = [];
  for (const { id, value: request } of interrupts) {
    if (!isApprovalRequest(request) || seen.has(request.decision_id)) continue;
    seen.add(request.decision_id);
    pending.push({ interruptId: id, request });
  }
  return pending;
}

/** The graph was expected to wait for an approval and does not. */
export class NoPendingApprovalError extends Error {
  readonly code = 'no_pending_approval';
  constructor() {
    super('the graph waits for no approval on this thread (was it invoked with this configurable.thread_id, and did it reach an approval node?)');
    this.name = 'NoPendingApprovalError';
  }
}

export interface ResumeOptions {
  /** How long to await each outcome (the SDK's ResolutionTimeoutError after it; await again later). Default: no limit. */
  timeoutMs?: number;
}

/**
 * Awaits the outcome of every approval the graph's thread (`config`) waits for with
 * `agent.resolution(decision_id)`, then resumes the graph with them
 * (`Command({ resume: { [interruptId]: resolution } })`) and returns what `invoke` returns:
 * the final state, or the state at the next suspension.
 *
 * The agent must know the decisions: the one that proposed them, or one started on the same
 * persistent `pendingStore` after a restart (the graph needs a persistent checkpointer then too).
 */
export async function resumeWhenResolved<Output>(
  graph: ResumableGraph<Output>,
  agent: ApprovalAgent,
  config: RunnableConfig,
  options: ResumeOptions = {},
): Promise<Output> {
  const pending = pendingApprovals(await graph.getState(config));
  if (pending.length === 0) throw new NoPendingApprovalError();
  const outcomes = await Promise.all(pending.map(({ request }) => agent.resolution(request.decision_id, { timeoutMs: options.timeoutMs })));
  return graph.invoke(resumeCommand(pending, outcomes), config);
}

/** The Command that resumes each pending approval with its outcome (by interrupt id; a lone one without an id as is). */
export function resumeCommand(pending: PendingApproval[], outcomes: Resolution[]): Command {
  if (pending.length === 1 && pending[0].interruptId === undefined) return new Command({ resume: outcomes[0] });
  const resume: Record<string, Resolution> = {};
  pending.forEach(({ interruptId, request }, i) => {
    if (interruptId === undefined) throw new Error(`the interrupt of decision ${request.decision_id} has no id: resume it by hand with Command({ resume })`);
    resume[interruptId] = outcomes[i];
  });
  return new Command({ resume });
}

/**
 * `graph.invoke(input, config)`, then, while the graph stops at approvals, awaits their
 * outcomes and resumes it (resumeWhenResolved): the whole governed run in one call. Other
 * interrupts end it as they would `invoke`.
 */
export async function invokeGoverned<Output>(
  graph: ResumableGraph<Output>,
  agent: ApprovalAgent,
  input: unknown,
  config: RunnableConfig,
  options: ResumeOptions & { maxApprovals?: number } = {},
): Promise<Output> {
  let output = await graph.invoke(input, config);
  for (let round = 0; pendingApprovals(output).length > 0; round++) {
    if (round >= (options.maxApprovals ?? 100)) throw new Error(`invokeGoverned: more than ${options.maxApprovals ?? 100} rounds of approvals on one run`);
    output = await resumeWhenResolved(graph, agent, config, options);
  }
  return output;
}
