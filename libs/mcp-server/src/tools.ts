// The tools, over one HitlAgent that every MCP session of this process shares: request_approval
// proposes and waits (with progress notifications) or answers `pending`; get_decision and
// get_handback take up a wait; request_human hands a session to a person.
import { randomUUID } from 'node:crypto';
import type { AgentLogger, Handback, HitlAgent, Resolution } from '@hitl/agent-sdk';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import {
  decisionOutcome,
  decisionOutput,
  describeDecision,
  describeHandback,
  getDecisionInput,
  getHandbackInput,
  handbackOutcome,
  handbackOutput,
  pendingDecision,
  pendingHandback,
  requestApprovalInput,
  requestHumanInput,
  toHumanRequest,
  toProposal,
  waitMs,
} from './outcome';

/** What the tools use of the SDK's agent (a fake in the unit specs). */
export type GovernedAgent = Pick<HitlAgent, 'propose' | 'resolution' | 'requestHuman'>;

export interface Waits {
  defaultMs: number;
  maxMs: number;
  progressEveryMs: number;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export const SERVER_NAME = 'hitl';
export const SERVER_VERSION = '0.1.0';

const INSTRUCTIONS = [
  'hitl governs what you do: before any action with consequences (money, messages, data changes), call request_approval.',
  'Run the action only when the outcome is `approved`, and with exactly the parameters it returns (a person may have edited them).',
  '`denied`, `blocked` or `expired`: do not run it; tell the user or propose something else.',
  '`pending`: a person has not decided yet; do not run it; call get_decision with the decision_id later.',
  'When the user asks for a person, or you cannot go on, call request_human with the conversation so far.',
].join('\n');

/** How long each answer's wait went, and whether it ended with the outcome. */
type Waited<T> = { done: true; value: T; waitedMs: number } | { done: false; waitedMs: number };

/**
 * Awaits `outcome` for at most `ms`, telling `tick` the elapsed time every `everyMs`; stops
 * early (not done) when the client cancels the call.
 */
export async function waitFor<T>(
  outcome: Promise<T>,
  ms: number,
  everyMs: number,
  tick: (elapsedMs: number) => void,
  signal?: AbortSignal,
): Promise<Waited<T>> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  let timer: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const ended = new Promise<{ done: false }>((resolve) => {
      timer = setTimeout(() => resolve({ done: false }), ms);
      onAbort = () => resolve({ done: false });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    ticker = setInterval(() => tick(elapsed()), everyMs);
    const first = await Promise.race([outcome.then((value) => ({ done: true as const, value })), ended]);
    return { ...first, waitedMs: elapsed() };
  } finally {
    clearTimeout(timer);
    clearInterval(ticker);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** A tool error the client (and its model) reads: the SDK error's code and what to do. */
export function toolError(error: unknown): CallToolResult {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return { isError: true, content: [{ type: 'text', text: typeof code === 'string' ? `${code}: ${message}` : message }] };
}

/** Remembers recent waits by id (bounded), so get_decision / get_handback take up the same one. */
class Recent<T> {
  private readonly entries = new Map<string, T>();
  constructor(private readonly limit = 1_000) {}
  get(id: string): T | undefined {
    return this.entries.get(id);
  }
  set(id: string, value: T): void {
    this.entries.delete(id);
    this.entries.set(id, value);
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** What this process waits for, shared by every MCP session: one agent, one set of decisions and handoffs. */
export class Governor {
  private readonly decisions = new Recent<{ action?: string; outcome: Promise<Resolution> }>();
  private readonly handoffs = new Recent<{ session_id: string; handback: Promise<Handback> }>();

  constructor(
    readonly agent: GovernedAgent,
    readonly waits: Waits,
    private readonly logger: AgentLogger,
  ) {}

  /** An MCP server with the tools, for one client session (an McpServer speaks to one transport). */
  server(): McpServer {
    const server = new McpServer({ name: SERVER_NAME, version: SERVER_VERSION }, { instructions: INSTRUCTIONS, capabilities: { logging: {} } });
    server.registerTool(
      'request_approval',
      {
        title: 'Ask for approval before acting',
        description:
          'Proposes an action to hitl and waits for the outcome: a policy or a person approves (possibly with edited parameters), denies or blocks it. ' +
          'Returns `approved` (run it, with exactly the returned parameters), `denied` / `blocked` / `expired` (do not run it), or `pending` with a decision_id ' +
          '(a person has not decided within wait_seconds: call get_decision later). Sends progress notifications while a person decides.',
        inputSchema: requestApprovalInput,
        outputSchema: decisionOutput,
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
      },
      async (args, extra) => {
        const decisionId = args.decision_id ?? randomUUID();
        let outcome: Promise<Resolution>;
        try {
          outcome = this.agent.propose({ ...toProposal(args), decision_id: decisionId });
        } catch (error) {
          return toolError(error);
        }
        outcome.catch(() => undefined);
        this.decisions.set(decisionId, { action: args.action, outcome });
        this.logger.info({ decisionId, action: args.action }, 'approval requested');
        return this.awaitDecision(decisionId, args.action, outcome, args.wait_seconds, extra, true);
      },
    );
    server.registerTool(
      'get_decision',
      {
        title: 'Get the outcome of a decision',
        description:
          'The outcome of a decision request_approval answered `pending` for: approved / denied / blocked / expired, or still `pending` after wait_seconds. ' +
          'Sends progress notifications while it waits.',
        inputSchema: getDecisionInput,
        outputSchema: decisionOutput,
        annotations: { readOnlyHint: true, openWorldHint: true },
      },
      async (args, extra) => {
        let known = this.decisions.get(args.decision_id);
        if (!known) {
          // One proposed before this server restarted (a pending-store journal), or unknown.
          try {
            const outcome = this.agent.resolution(args.decision_id);
            outcome.catch(() => undefined);
            known = { outcome };
            this.decisions.set(args.decision_id, known);
          } catch (error) {
            return toolError(error);
          }
        }
        return this.awaitDecision(args.decision_id, known.action, known.outcome, args.wait_seconds, extra, false);
      },
    );
    server.registerTool(
      'request_human',
      {
        title: 'Hand the session to a person',
        description:
          '"Get a human": sends the conversation so far to a person of the workspace and suspends the session until they return it. ' +
          'Returns `handed_back` (resume, with their notes and what they told the user) or `closed` (do not resume), ' +
          'or `pending` with a handoff_id (call get_handback later). Do not act in the session while it is with a person.',
        inputSchema: requestHumanInput,
        outputSchema: handbackOutput,
        annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
      },
      async (args, extra) => {
        const handoffId = randomUUID();
        let handback: Promise<Handback>;
        try {
          handback = this.agent.requestHuman(toHumanRequest(args, handoffId));
        } catch (error) {
          return toolError(error);
        }
        handback.catch(() => undefined);
        this.handoffs.set(handoffId, { session_id: args.session_id, handback });
        this.logger.info({ handoffId, sessionId: args.session_id }, 'session handed to a person');
        return this.awaitHandback(handoffId, args.session_id, handback, args.wait_seconds, extra);
      },
    );
    server.registerTool(
      'get_handback',
      {
        title: 'Get a session back from a person',
        description:
          'Whether the person returned the session request_human answered `pending` for: `handed_back`, `closed`, or still `pending` after wait_seconds.',
        inputSchema: getHandbackInput,
        outputSchema: handbackOutput,
        annotations: { readOnlyHint: true, openWorldHint: true },
      },
      async (args, extra) => {
        const known = this.handoffs.get(args.handoff_id);
        if (!known) {
          return toolError(
            new Error(`unknown_handoff: this server did not hand over ${args.handoff_id} (or forgot it at a restart); ask for a person again if needed`),
          );
        }
        return this.awaitHandback(args.handoff_id, known.session_id, known.handback, args.wait_seconds, extra);
      },
    );
    return server;
  }

  private async awaitDecision(
    decisionId: string,
    action: string | undefined,
    outcome: Promise<Resolution>,
    requestedSeconds: number | undefined,
    extra: Extra,
    justProposed: boolean,
  ): Promise<CallToolResult> {
    try {
      const waited = await waitFor(
        outcome,
        waitMs(requestedSeconds, this.waits),
        this.waits.progressEveryMs,
        (elapsedMs) => this.progress(extra, elapsedMs, `waiting for a policy or a person to decide ${action ?? 'decision'} ${decisionId}`),
        extra.signal,
      );
      const answer = waited.done ? decisionOutcome(waited.value, waited.waitedMs) : pendingDecision(decisionId, action, waited.waitedMs);
      if (waited.done) this.logger.info({ decisionId, status: answer.status, resolvedBy: answer.resolved_by }, 'decision resolved');
      else if (justProposed) this.logger.info({ decisionId }, 'decision still pending; the client can call get_decision');
      return { content: [{ type: 'text', text: describeDecision(answer) }], structuredContent: answer };
    } catch (error) {
      return toolError(error);
    }
  }

  private async awaitHandback(
    handoffId: string,
    sessionId: string,
    handback: Promise<Handback>,
    requestedSeconds: number | undefined,
    extra: Extra,
  ): Promise<CallToolResult> {
    try {
      const waited = await waitFor(
        handback,
        waitMs(requestedSeconds, this.waits),
        this.waits.progressEveryMs,
        (elapsedMs) => this.progress(extra, elapsedMs, `waiting for a person to return session ${sessionId}`),
        extra.signal,
      );
      const answer = waited.done ? handbackOutcome(waited.value, waited.waitedMs) : pendingHandback(handoffId, sessionId, waited.waitedMs);
      return { content: [{ type: 'text', text: describeHandback(answer) }], structuredContent: answer };
    } catch (error) {
      return toolError(error);
    }
  }

  /** A progress notification, when the client asked for them (a progressToken); progress is the seconds waited so far. */
  private progress(extra: Extra, elapsedMs: number, what: string): void {
    const progressToken = extra._meta?.progressToken;
    if (progressToken === undefined) return;
    const seconds = Math.round(elapsedMs / 1_000);
    extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken, progress: seconds, message: `${what} (${seconds}s so far)` } })
      .catch((error: Error) => this.logger.debug({ error: error.message }, 'could not send a progress notification'));
  }
}
