import { DECISION_PROPOSED, DecisionProposedData, eventSchema } from '@hitl/contracts';
import { ApprovalPlan, Routing } from '@hitl/policy';
import { z } from 'zod';

/** `workspace`: the event's `workspaceid`, when the file is a whole event. */
export type DecisionInput = { ok: true; decision: DecisionProposedData; workspace?: string } | { ok: false; problems: string[] };

/**
 * Reads a decision file: a whole `decision.proposed` CloudEvent (it has `specversion`)
 * or its bare `data`. Validated by the contract, as the router would; problems name fields.
 */
export function parseDecisionInput(text: string): DecisionInput {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not valid JSON: ${(error as Error).message}`] };
  }
  const isEvent = typeof json === 'object' && json !== null && !Array.isArray(json) && 'specversion' in json;
  if (!isEvent) {
    const data = DecisionProposedData.safeParse(json);
    return data.success ? { ok: true, decision: data.data } : { ok: false, problems: issueLines(data.error) };
  }
  const type = (json as { type?: unknown }).type;
  if (type !== DECISION_PROPOSED) {
    return { ok: false, problems: [`type: is ${JSON.stringify(type)}, expected "${DECISION_PROPOSED}"`] };
  }
  const event = eventSchema(DECISION_PROPOSED).safeParse(json);
  return event.success ? { ok: true, decision: event.data.data, workspace: event.data.workspaceid } : { ok: false, problems: issueLines(event.error) };
}

function issueLines(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

/** The routing in plain words: verdict, mode, manifest version, the trace, then the plans. */
export function formatRouting(routing: Routing, decision: DecisionProposedData, now: Date): string[] {
  const lines = [
    `decision:         ${decision.decision_id} (${decision.action}, agent ${decision.agent.id}, confidence ${decision.confidence})`,
    `evaluated at:     ${now.toISOString()}`,
    `verdict:          ${routing.verdict}`,
    `mode:             ${routing.mode ?? '(none: the action is not in the manifest)'}`,
    `manifest version: ${routing.manifestVersion}`,
  ];
  if (routing.alert) lines.push('alert:            operations are alerted each time it runs');
  lines.push('trace:', ...routing.reasons.map((reason) => `  ${reason.rule}: ${reason.detail}`));
  if (routing.approval) lines.push('approval plan:', ...formatPlan(routing.approval));
  if (routing.postReview) lines.push('post-review plan:', ...formatPlan(routing.postReview));
  return lines;
}

function formatPlan(plan: ApprovalPlan): string[] {
  const rows: [string, string][] = [
    ['route', plan.route],
    ['reviewer role', plan.reviewer_role],
    ['escalation path', plan.escalation_path.join(' → ')],
    ['urgency', plan.urgency],
    ['SLA deadline', plan.sla_deadline],
    ['expires at', plan.expires_at ?? 'none'],
    ['on timeout', plan.on_timeout],
    ['required approvals', String(plan.required_approvals)],
  ];
  if (plan.route === 'post_review') {
    rows.push(['rollback window', plan.rollback_window_seconds === null ? 'none' : `${plan.rollback_window_seconds} s`]);
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  // Each tier's deadline if nobody acts: its SLA or its share of the time before expiry.
  const tiers = plan.tier_deadlines.map(({ role, until }, i) => `    ${i + 1}. ${role} until ${until}`);
  return [...rows.map(([label, value]) => `  ${`${label}:`.padEnd(width)} ${value}`), '  tier deadlines (if nobody acts):', ...tiers];
}
