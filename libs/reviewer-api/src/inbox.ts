// GET /approvals (a reviewer's inbox) and GET /approvals/:id (the page they decide from).
import { z } from 'zod';
import { PauseLine } from './pauses';
import { ApprovalRoute, ApprovalStatus, OnTimeout, Severity, Timestamp, Urgency } from './values';

/** The agent as it named itself; it may say more than these. */
export const AgentRef = z.looseObject({ id: z.string(), model: z.string().optional(), prompt_version: z.string().optional() });
export type AgentRef = z.infer<typeof AgentRef>;

/** One line of the inbox. */
export const InboxItem = z.object({
  approval_id: z.string(),
  decision_id: z.string(),
  action: z.string(),
  workspace: z.string(),
  route: ApprovalRoute,
  status: ApprovalStatus,
  reviewer_role: z.string(),
  assignee: z.string().nullable(),
  sla_deadline: Timestamp.nullable(),
  /** Seconds until the SLA deadline (negative once missed); while paused, what the clock has left. */
  time_left_seconds: z.number().int().nullable(),
  /** True while a clarification is awaited: the SLA and expiry clocks stand still. */
  sla_paused: z.boolean(),
  expires_at: Timestamp.nullable(),
  urgency: Urgency,
  /** From the manifest in force; null when it does not know the action. */
  consequence: z.object({ severity: Severity, reversible: z.boolean() }).nullable(),
  /** The parameter the manifest names as the amount (`amount_field`), when it is a number and not redacted. */
  amount: z.number().nullable(),
  /** One sentence rendered from the action and its parameters (not the agent's summary). */
  summary: z.string(),
  /** The agent's own summary: its words, not a description of what will run. */
  agent_summary: z.string(),
  agent: AgentRef,
  payload_hash: z.string(),
  created_at: Timestamp,
  /**
   * The pauses in force covering its workspace, agent and action (the kill switch): why a
   * person sees it, or should look twice. An inbox line carries it only when one does; the
   * page of one approval always does (`[]`: none). Absent from older answers and the live stream.
   */
  pauses: z.array(PauseLine).optional(),
});
export type InboxItem = z.infer<typeof InboxItem>;

/**
 * The inbox's two queues. `blocking`: what an agent waits on (human review, escalations,
 * clarifications, answered or not). `post_review`: actions that already ran, reviewed after
 * the fact; nobody waits on them, so they never share a page with blocking work.
 */
export const InboxQueue = z.enum(['blocking', 'post_review'], { error: 'must be blocking or post_review' });
export type InboxQueue = z.infer<typeof InboxQueue>;

export const InboxPage = z.object({
  items: z.array(InboxItem),
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: z.string().nullable(),
  /** How many the caller may decide in each queue, with the same filters (whatever the page and the queue asked for). */
  counts: z.object({ blocking: z.number().int(), post_review: z.number().int() }),
});
export type InboxPage = z.infer<typeof InboxPage>;

export const RenderedLine = z.object({ label: z.string(), value: z.string() });
export type RenderedLine = z.infer<typeof RenderedLine>;

/** What a reviewer reads about an action, built from the action and its parameters, never from the agent's summary. */
export const Rendering = z.object({
  /** One sentence: what happens if this is approved. */
  headline: z.string(),
  /** Every parameter once: the template's own first, then any other, by path. */
  details: z.array(RenderedLine),
  /** How bad and how final, from the manifest. */
  consequence: z.string(),
  /** The manifest's `render` template of the action, as written, or `generic` (every parameter by name and value). */
  template: z.string(),
  /** Headline, consequence and details as plain lines (for notifications and logs). */
  text: z.string(),
});
export type Rendering = z.infer<typeof Rendering>;

/** The agent's latest resolved approvals of the same action, summed up. */
export const AgentRecord = z.object({
  agent_id: z.string(),
  action: z.string(),
  /** At most the record window (20): the latest resolved approvals of this agent and action in the workspace. */
  considered: z.number().int(),
  counts: z.object({
    approved: z.number().int(),
    denied: z.number().int(),
    expired: z.number().int(),
    reviewed: z.number().int(),
    rolled_back: z.number().int(),
    /** Post-reviews that ended with nobody looking (window closed, or not queued for lack of capacity). */
    unreviewed: z.number().int(),
  }),
  /** How many of those a reviewer approved with edited parameters. */
  edited: z.number().int(),
  recent: z.array(z.object({ approval_id: z.string(), status: ApprovalStatus, edited: z.boolean(), resolved_at: Timestamp })),
});
export type AgentRecord = z.infer<typeof AgentRecord>;

export const ClarificationLine = z.object({
  clarification_id: z.string(),
  question: z.string(),
  requested_by: z.string(),
  requested_at: Timestamp,
  answer: z.string().nullable(),
  provided_by: z.string().nullable(),
  answered_at: Timestamp.nullable(),
});
export type ClarificationLine = z.infer<typeof ClarificationLine>;

/** One attempt of a decision's repair chain, shown beside the others: what the agent proposed, and what failed the schema. */
export const RepairAttemptLine = z.object({
  decision_id: z.string(),
  /** 1 for the agent's first proposal, 2 for its first repair, ... */
  attempt: z.number().int(),
  /** Its parameters, the manifest's `redact` paths masked. */
  parameters: z.record(z.string(), z.unknown()),
  /** What failed the action's `parameters_schema` (`field`, `rule`, `message`); empty when nothing did. */
  errors: z.array(z.object({ field: z.string(), rule: z.string(), message: z.string() })),
  /** The attempt this approval decides (the last). */
  current: z.boolean(),
});
export type RepairAttemptLine = z.infer<typeof RepairAttemptLine>;

/** One approval with everything needed to decide it. */
export const ApprovalDetail = InboxItem.extend({
  rendering: Rendering,
  agent_summary_notice: z.string(),
  /** The parameters the action runs with, the manifest's `redact` paths masked. */
  parameters: z.record(z.string(), z.unknown()),
  /**
   * The action's `parameters_schema` from the manifest in force (null when it declares none
   * or the action is unknown), so a console can check an edit before sending it; the edit
   * route checks it again by re-running the policy.
   */
  parameters_schema: z.record(z.string(), z.unknown()).nullable(),
  /** The router's rule trace: why a person sees this. */
  trace: z.array(z.looseObject({ rule: z.string(), detail: z.string() })),
  /** The agent's escalation context (situation, attempted, options, recommendation and any other keys); null when it gave none. */
  context: z.record(z.string(), z.unknown()).nullable(),
  workflow: z
    .object({ id: z.string(), step_index: z.number().int(), completed_steps: z.array(z.looseObject({ action: z.string(), outcome: z.string() })) })
    .nullable(),
  confidence: z.object({ value: z.number(), basis: z.string(), uncertainty_factors: z.array(z.string()), recommended_review: z.boolean() }),
  on_timeout: OnTimeout,
  on_behalf_of: z.string().nullable(),
  approvals: z.object({ required: z.number().int(), approved_by: z.array(z.string()), remaining: z.number().int() }),
  edited: z.boolean(),
  clarifications: z.array(ClarificationLine),
  /** post_review only: until when it can be rolled back (null: no limit). */
  rollback: z.object({ window_seconds: z.number().int().nullable(), closes_at: Timestamp.nullable() }).nullable(),
  agent_record: AgentRecord,
  manifest_version: z.string(),
  resolved_at: Timestamp.nullable(),
  /**
   * The repair loop: when the decision repairs earlier proposals, or its parameters fail the
   * schema, every attempt oldest first, side by side (the last is this decision). Approving
   * parameters that fail the schema unchanged is refused (`parameters_invalid`): edit or deny.
   * Empty otherwise.
   */
  repair_attempts: z.array(RepairAttemptLine).optional(),
  /** Which parts the agent wrote (and could word to persuade) and which come from the action and the policy. */
  provenance: z.object({ from_the_action: z.array(z.string()), from_the_policy: z.array(z.string()), written_by_the_agent: z.array(z.string()) }),
});
export type ApprovalDetail = z.infer<typeof ApprovalDetail>;
