// What a reviewer is shown of an approval: a line of the inbox, and the whole page they
// decide from without looking elsewhere. Pure: rows, the action's policy and `now` in.
import { Actor, ApprovalState, ApprovalStatus, Pause, Refusal, covers, pausedClocksOf, refuse, rollbackClosesAt, worksIn } from '@hitl/approvals';
import { ResolvedAction, readPath } from '@hitl/policy';
import { AgentRecord, ApprovalDetail, InboxItem, PauseLine } from '@hitl/reviewer-api';
import { ApprovalRow } from '../approval-store/approval-store.repository';
import { ClarificationRow } from '../clarifications/clarifications.repository';
import { redactAt, redactionsUnder, renderAction } from './render-action';

/** How many of the agent's latest resolved approvals of the same action are summed up. */
export const RECORD_WINDOW = 20;

/** Said beside the agent's own summary wherever it is shown. */
export const AGENT_SUMMARY_NOTICE =
  "The agent's own words, shown as written and not checked against the action. Decide on the rendering and the parameters; nothing in this text is an instruction.";

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/**
 * May `actor` look at this approval? Whoever may decide it (libs/approvals, whatever its
 * status: a decided approval stays readable to them), and auditors of its workspace.
 */
export function refuseView(actor: Actor & { auditor?: boolean }, state: ApprovalState): Refusal | null {
  if (actor.auditor && worksIn(actor, state.workspace)) return null;
  return refuse(actor, { ...state, status: 'pending' }, 'deny');
}

function timeLeft(row: Omit<ApprovalRow, 'approved_by'>, now: Date): number | null {
  if (row.status === 'clarifying') {
    const { slaMs } = pausedClocksOf(row);
    return slaMs === null ? null : Math.floor(slaMs / 1000);
  }
  return row.sla_deadline === null ? null : Math.floor((row.sla_deadline.getTime() - now.getTime()) / 1000);
}

/** The amount at the manifest's `amount_field`, unless it is not a number or is redacted. */
export function amountOf(parameters: Record<string, unknown>, policy: ResolvedAction | undefined): number | null {
  if (!policy) return null;
  const path = policy.amountField.split('.');
  const hidden = redactionsUnder('parameters', policy.redact).some((r) => r.length <= path.length && r.every((s, i) => path[i] === s));
  const value = readPath(parameters, policy.amountField);
  return !hidden && typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The pauses in force that cover the approval's workspace, agent and action (the kill switch), as its reviewer is shown them. */
export function pausesOver(pauses: readonly Pause[], row: Pick<ApprovalRow, 'workspace' | 'agent_id' | 'action'>): PauseLine[] {
  return pauses
    .filter((pause) => covers(pause, row))
    .map(({ id, agent_id, action, effect, reason, paused_by, paused_at }) => ({ id, agent_id, action, effect, reason, paused_by, paused_at }));
}

/**
 * A line of the inbox; with `pauses` (those in force in its workspace), the ones covering it.
 * A line no pause covers carries none (`pauses` absent), so lines read as they did before the
 * kill switch; the page (approvalDetail) always says, `[]` when none.
 */
export function inboxItem(row: Omit<ApprovalRow, 'approved_by'>, policy: ResolvedAction | undefined, now: Date, pauses: readonly Pause[] = []): InboxItem {
  const decision = row.request.decision;
  const covering = pausesOver(pauses, row);
  return {
    approval_id: row.approval_id,
    decision_id: row.decision_id,
    action: row.action,
    workspace: row.workspace,
    route: row.route,
    status: row.status,
    reviewer_role: row.reviewer_role,
    assignee: row.assignee,
    sla_deadline: iso(row.sla_deadline),
    time_left_seconds: timeLeft(row, now),
    sla_paused: row.status === 'clarifying',
    expires_at: iso(row.expires_at),
    urgency: row.urgency,
    consequence: policy ? { severity: policy.severity, reversible: policy.reversible } : null,
    amount: amountOf(row.parameters, policy),
    summary: renderAction(row.action, row.parameters, policy).headline,
    agent_summary: decision.summary,
    agent: decision.agent,
    payload_hash: row.payload_hash,
    created_at: row.created_at.toISOString(),
    ...(covering.length > 0 ? { pauses: covering } : {}),
  };
}

/** The agent's latest resolved approvals of one action, summed up (rows newest first). */
export function agentRecord(
  agentId: string,
  action: string,
  rows: { approval_id: string; status: ApprovalStatus; edited: boolean; resolved_at: Date }[],
): AgentRecord {
  const recent = rows.slice(0, RECORD_WINDOW);
  const counts = { approved: 0, denied: 0, expired: 0, reviewed: 0, rolled_back: 0, unreviewed: 0 };
  for (const r of recent) if (r.status in counts) counts[r.status as keyof typeof counts] += 1;
  return {
    agent_id: agentId,
    action,
    considered: recent.length,
    counts,
    edited: recent.filter((r) => r.edited).length,
    recent: recent.map((r) => ({ approval_id: r.approval_id, status: r.status, edited: r.edited, resolved_at: r.resolved_at.toISOString() })),
  };
}

/** The action's parameters schema as the manifest wrote it (the compiled validator keeps it). */
export function schemaOf(policy: Pick<ResolvedAction, 'validateParameters'> | undefined): Record<string, unknown> | null {
  const schema: unknown = policy?.validateParameters?.schema;
  return schema !== null && typeof schema === 'object' ? (schema as Record<string, unknown>) : null;
}

export function approvalDetail(
  row: ApprovalRow,
  policy: ResolvedAction | undefined,
  clarifications: ClarificationRow[],
  record: AgentRecord,
  now: Date,
  pauses: readonly Pause[] = [],
): ApprovalDetail {
  const decision = row.request.decision;
  const redact = policy?.redact ?? [];
  const workflow = decision.workflow;
  return {
    ...inboxItem(row, policy, now, pauses),
    pauses: pausesOver(pauses, row),
    rendering: renderAction(row.action, row.parameters, policy),
    agent_summary_notice: AGENT_SUMMARY_NOTICE,
    parameters: redactAt(row.parameters, 'parameters', redact) as Record<string, unknown>,
    parameters_schema: schemaOf(policy),
    trace: row.request.reasons,
    context: decision.context ? (redactAt(decision.context, 'context', redact) as Record<string, unknown>) : null,
    workflow: workflow ? { id: workflow.id, step_index: workflow.step_index, completed_steps: workflow.completed_steps ?? [] } : null,
    confidence: {
      value: decision.confidence,
      basis: decision.confidence_basis,
      uncertainty_factors: decision.uncertainty_factors,
      recommended_review: decision.recommended_review,
    },
    on_timeout: row.on_timeout,
    on_behalf_of: row.on_behalf_of,
    approvals: { required: row.required_approvals, approved_by: row.approved_by, remaining: Math.max(0, row.required_approvals - row.approved_by.length) },
    edited: row.edited,
    clarifications: clarifications.map((c) => ({
      clarification_id: c.clarification_id,
      question: c.question,
      requested_by: c.requested_by,
      requested_at: c.requested_at.toISOString(),
      answer: c.answer,
      provided_by: c.provided_by,
      answered_at: iso(c.answered_at),
    })),
    rollback:
      row.route === 'post_review'
        ? { window_seconds: row.rollback_window_seconds, closes_at: iso(rollbackClosesAt(row.created_at, row.rollback_window_seconds)) }
        : null,
    agent_record: record,
    manifest_version: row.manifest_version,
    resolved_at: iso(row.resolved_at),
    repair_attempts: (row.request.repair_attempts ?? []).map((a) => ({
      decision_id: a.decision_id,
      attempt: a.attempt,
      // The router masked them already; the manifest in force may redact more.
      parameters: redactAt(a.parameters, 'parameters', redact) as Record<string, unknown>,
      errors: a.errors.map(({ field, rule, message }) => ({ field, rule, message })),
      current: a.decision_id === row.decision_id,
    })),
    provenance: {
      from_the_action: ['rendering', 'parameters', 'amount', 'summary', 'payload_hash', 'repair_attempts'],
      from_the_policy: [
        'trace',
        'parameters_schema',
        'consequence',
        'reviewer_role',
        'sla_deadline',
        'expires_at',
        'on_timeout',
        'approvals',
        'rollback',
        'repair_attempts[].errors',
      ],
      written_by_the_agent: ['agent_summary', 'context', 'confidence', 'workflow', 'clarifications[].answer'],
    },
  };
}
