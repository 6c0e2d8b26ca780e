// Pure parts of the tools: what a client sends (the input schemas), what it becomes for the
// SDK (a Proposal, a HumanRequest), and what goes back (structured content and a text an LLM
// can act on). No I/O here.
import type { Handback, HumanRequest, Proposal, Resolution } from '@hitl/agent-sdk';
import { z } from 'zod';

const waitSeconds = z
  .number()
  .min(0)
  .optional()
  .describe('How long to wait for the outcome before answering `pending` (seconds; 0: do not wait). Default: the server’s HITL_MCP_WAIT_SECONDS.');

/** request_approval's arguments. */
export const requestApprovalInput = {
  action: z.string().trim().min(1).describe('The action to take, as the workspace manifest names it (e.g. process_refund).'),
  parameters: z.record(z.string(), z.unknown()).describe('Exactly what the action runs with. Only what is approved (possibly edited by a person) may run.'),
  confidence: z.number().min(0).max(1).describe('How sure you are that this is the right action, 0 to 1.'),
  confidence_basis: z.string().describe('Why you are that sure: the evidence behind the confidence.'),
  uncertainty_factors: z.array(z.string()).default([]).describe('What could make this wrong; empty when nothing does.'),
  summary: z.string().trim().min(1).describe('One sentence a reviewer reads first: what will happen.'),
  context: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('What a reviewer needs to decide: situation, attempted, options [{key, label}], recommendation, ...'),
  recommended_review: z.boolean().default(false).describe('true when you think a person should look at it whatever the policy says.'),
  urgency: z.enum(['low', 'normal', 'high', 'critical']).optional(),
  on_behalf_of: z.string().optional().describe('The end user the action serves (never the reviewer).'),
  session_id: z.string().optional(),
  decision_id: z.uuid().optional().describe('Your idempotency key (a random UUID): asking again with the same id and content answers with the same outcome.'),
  wait_seconds: waitSeconds,
};

export const getDecisionInput = {
  decision_id: z.uuid().describe('The decision_id request_approval returned.'),
  wait_seconds: waitSeconds,
};

export const requestHumanInput = {
  session_id: z.string().trim().min(1).describe('The conversation being handed to a person.'),
  reason: z.string().trim().min(1).describe('Why a person is needed (the end user asked, or the agent cannot go on).'),
  transcript: z
    .array(z.object({ from: z.enum(['user', 'agent', 'person']), text: z.string().max(20_000) }))
    .describe('The conversation so far, oldest turn first: what the person reads before taking over.'),
  checkpoint: z.record(z.string(), z.unknown()).optional().describe('What you resume from; returned unchanged with the handback (no secrets).'),
  on_behalf_of: z.string().optional().describe('The end user the session serves.'),
  wait_seconds: waitSeconds,
};

export const getHandbackInput = {
  handoff_id: z.uuid().describe('The handoff_id request_human returned with `pending`.'),
  wait_seconds: waitSeconds,
};

type Shape<T extends Record<string, z.ZodType>> = z.output<z.ZodObject<T>>;
export type RequestApprovalArgs = Shape<typeof requestApprovalInput>;
export type RequestHumanArgs = Shape<typeof requestHumanInput>;

/** What request_approval / get_decision answer (structured content). */
export const decisionOutput = {
  status: z.enum(['approved', 'denied', 'blocked', 'expired', 'pending']),
  decision_id: z.string(),
  action: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  edited: z.boolean().optional(),
  resolved_by: z.object({ kind: z.string(), id: z.string() }).optional(),
  reasons: z.array(z.object({ rule: z.string(), detail: z.string() })).optional(),
  notes: z.string().nullable().optional(),
  chosen_option: z.string().nullable().optional(),
  payload_hash: z.string().optional(),
  parameter_errors: z.array(z.object({ field: z.string(), rule: z.string(), message: z.string() })).optional(),
  waited_seconds: z.number(),
};
export type DecisionOutput = Shape<typeof decisionOutput>;

/** What request_human / get_handback answer (structured content). */
export const handbackOutput = {
  status: z.enum(['handed_back', 'closed', 'pending']),
  handoff_id: z.string(),
  session_id: z.string(),
  notes: z.string().optional(),
  reply: z.string().nullable().optional(),
  returned_by: z.string().optional(),
  checkpoint: z.record(z.string(), z.unknown()).nullable().optional(),
  waited_seconds: z.number(),
};
export type HandbackOutput = Shape<typeof handbackOutput>;

/** The SDK's proposal from request_approval's arguments (the wait is the server's business). */
export function toProposal(args: RequestApprovalArgs): Proposal {
  const { wait_seconds: _wait, context, urgency, on_behalf_of, session_id, decision_id, ...fields } = args;
  return {
    ...fields,
    ...(decision_id !== undefined ? { decision_id } : {}),
    ...(context !== undefined ? { context: context as Proposal['context'] } : {}),
    ...(urgency !== undefined ? { urgency } : {}),
    ...(on_behalf_of !== undefined ? { on_behalf_of } : {}),
    ...(session_id !== undefined ? { session_id } : {}),
  };
}

/** The SDK's request for a person from request_human's arguments. */
export function toHumanRequest(args: RequestHumanArgs, handoffId: string): HumanRequest {
  return {
    handoff_id: handoffId,
    session_id: args.session_id,
    reason: args.reason,
    transcript: args.transcript,
    ...(args.checkpoint !== undefined ? { checkpoint: args.checkpoint } : {}),
    ...(args.on_behalf_of !== undefined ? { on_behalf_of: args.on_behalf_of } : {}),
  };
}

/** The wait a client asked for, within the server's bounds. */
export function waitMs(requestedSeconds: number | undefined, waits: { defaultMs: number; maxMs: number }): number {
  if (requestedSeconds === undefined) return waits.defaultMs;
  return Math.min(Math.round(requestedSeconds * 1_000), waits.maxMs);
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

export function decisionOutcome(resolution: Resolution, waitedMs: number): DecisionOutput {
  return {
    status: resolution.status,
    decision_id: resolution.decision_id,
    action: resolution.action,
    parameters: resolution.parameters,
    edited: resolution.edited,
    resolved_by: { kind: resolution.resolved_by.kind, id: resolution.resolved_by.id },
    reasons: resolution.reasons.map((r) => ({ rule: r.rule, detail: r.detail })),
    notes: resolution.notes,
    chosen_option: resolution.chosen_option,
    payload_hash: resolution.payload_hash,
    ...(resolution.parameter_errors ? { parameter_errors: resolution.parameter_errors.map(({ field, rule, message }) => ({ field, rule, message })) } : {}),
    waited_seconds: seconds(waitedMs),
  };
}

export function pendingDecision(decisionId: string, action: string | undefined, waitedMs: number): DecisionOutput {
  return { status: 'pending', decision_id: decisionId, ...(action !== undefined ? { action } : {}), waited_seconds: seconds(waitedMs) };
}

const who = (by: { kind: string; id: string }) =>
  by.kind === 'policy' ? `by policy (${by.id})` : by.kind === 'timeout' ? 'because no one decided in time' : `by ${by.kind} ${by.id}`;

const json = (value: unknown) => JSON.stringify(value);

/** What an LLM reads: the outcome, who decided, what may run (and with what), and what to do next. */
export function describeDecision(outcome: DecisionOutput): string {
  const id = outcome.decision_id;
  const action = outcome.action ?? 'the action';
  if (outcome.status === 'pending') {
    return (
      `Decision ${id} is still pending after ${outcome.waited_seconds}s: a person has not decided yet. ` +
      `Do not run ${action} meanwhile. Call get_decision with decision_id "${id}" (and wait_seconds) to get the outcome.`
    );
  }
  const lines: string[] = [];
  const by = outcome.resolved_by ? ` ${who(outcome.resolved_by)}` : '';
  if (outcome.status === 'approved') {
    lines.push(
      outcome.edited
        ? `APPROVED${by}, with edited parameters. Run ${action} with exactly these parameters (not the ones you proposed): ${json(outcome.parameters)}.`
        : `APPROVED${by}. Run ${action} with exactly these parameters: ${json(outcome.parameters)}.`,
    );
  } else {
    const verdict = { denied: 'DENIED', blocked: 'BLOCKED', expired: 'EXPIRED' }[outcome.status];
    lines.push(`${verdict}${by}. Do not run ${action}; tell the user, or propose something else.`);
  }
  const reasons = outcome.reasons ?? [];
  if (reasons.length > 0) lines.push(`Reasons: ${reasons.map((r) => (r.detail ? `${r.rule} (${r.detail})` : r.rule)).join('; ')}.`);
  if (outcome.parameter_errors?.length) lines.push(`Parameter errors: ${outcome.parameter_errors.map((e) => `${e.field}: ${e.message}`).join('; ')}.`);
  if (outcome.notes) lines.push(`Reviewer's notes: ${outcome.notes}`);
  if (outcome.chosen_option) lines.push(`Chosen option: ${outcome.chosen_option}.`);
  lines.push(`(decision ${id})`);
  return lines.join('\n');
}

export function handbackOutcome(handback: Handback, waitedMs: number): HandbackOutput {
  return {
    status: handback.resolution,
    handoff_id: handback.handoff_id,
    session_id: handback.session_id,
    notes: handback.notes,
    reply: handback.reply,
    returned_by: handback.returned_by,
    checkpoint: handback.checkpoint,
    waited_seconds: seconds(waitedMs),
  };
}

export function pendingHandback(handoffId: string, sessionId: string, waitedMs: number): HandbackOutput {
  return { status: 'pending', handoff_id: handoffId, session_id: sessionId, waited_seconds: seconds(waitedMs) };
}

export function describeHandback(outcome: HandbackOutput): string {
  if (outcome.status === 'pending') {
    return (
      `Session ${outcome.session_id} is with a person (handoff ${outcome.handoff_id}); no one has returned it after ${outcome.waited_seconds}s. ` +
      `Do not act in this session meanwhile. Call get_handback with handoff_id "${outcome.handoff_id}" to learn when it comes back.`
    );
  }
  const lines =
    outcome.status === 'handed_back'
      ? [`${outcome.returned_by} handed session ${outcome.session_id} back to you: resume it.`, `Their notes for you: ${outcome.notes}`]
      : [`${outcome.returned_by} closed session ${outcome.session_id}: do not resume it.`, `Their notes: ${outcome.notes}`];
  if (outcome.reply) lines.push(`What they told the user (pass it on if it was not shown): ${outcome.reply}`);
  if (outcome.checkpoint) lines.push(`Your checkpoint: ${json(outcome.checkpoint)}`);
  return lines.join('\n');
}
