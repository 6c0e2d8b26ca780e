import { createHash } from 'node:crypto';
import { tierDeadline } from '@hitl/approvals';
import { ApprovalRoute, DEFAULT_URGENCY, DecisionProposedData, OnTimeout, Reason, Urgency } from '@hitl/contracts';
import { Manifest, ResolvedAction } from './manifest';
import { EscalateWhen, Mode, OPERATORS } from './manifest.schema';
import { ActiveProbation } from './probation';
import { ParameterError, RepairAttempt, RepairHistory, describeErrors, maskParameters, parameterErrors } from './repair';

export type Verdict = 'auto_approve' | 'human_review' | 'escalate' | 'block';

/** Everything `approval.requested` needs beyond ids, the decision and its hash. */
export interface ApprovalPlan {
  route: ApprovalRoute;
  /** The role of the tier it starts at: the first of `escalation_path`. */
  reviewer_role: string;
  /** The tiers it can still go through, starting with `reviewer_role`. */
  escalation_path: string[];
  /** The urgency its SLAs are measured by (raised one level on escalation). */
  urgency: Urgency;
  sla_deadline: string;
  expires_at: string | null;
  on_timeout: OnTimeout;
  required_approvals: number;
  rollback_window_seconds: number | null;
  /**
   * When each tier of the path would hand it on if nobody acted (one reviewer a tier):
   * its SLA or its share of the time left before expiry. What `hitl manifest explain`
   * shows; not part of the event.
   */
  tier_deadlines: { role: string; until: string }[];
}

export interface Routing {
  verdict: Verdict;
  /** The action's mode; null when the action is not in the manifest. */
  mode: Mode | null;
  /** The trace: one entry per step taken, in plain words; the last one decided. */
  reasons: Reason[];
  /** `log_and_alert`: operations are told each time it runs. */
  alert: boolean;
  manifestVersion: string;
  /** For human_review and escalate: the approval to request before the action runs. */
  approval: ApprovalPlan | null;
  /** For auto-approvals a person reviews after the fact (review_after, or sampled). */
  postReview: ApprovalPlan | null;
  /** Blocked and sent back to the agent to repair: what fails the schema (`parameter_errors`). */
  parameterErrors: ParameterError[] | null;
  /**
   * For a person: every attempt of the decision's repair chain, oldest first and this one
   * last, parameters masked by the manifest's `redact` (`repair_attempts`). Set when the
   * parameters fail the schema or the decision repairs earlier ones; null otherwise.
   */
  repairAttempts: RepairAttempt[] | null;
}

const URGENCIES: Urgency[] = ['low', 'normal', 'high', 'critical'];

/** Escalation raises urgency one level, capped at critical. */
export function raiseUrgency(urgency: Urgency): Urgency {
  return URGENCIES[Math.min(URGENCIES.indexOf(urgency) + 1, URGENCIES.length - 1)];
}

/** Reads a dotted path (`parameters.customer.tier`) out of a decision. */
export function readPath(source: unknown, path: string): unknown {
  let value: unknown = source;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Whether one `escalate_when` rule matches, and how to say so. */
export function matchRule(rule: EscalateWhen, decision: DecisionProposedData): { matched: boolean; detail: string } {
  const value = readPath(decision, rule.field);
  const shown = value === undefined ? 'absent' : JSON.stringify(value);
  // The schema guarantees exactly one operator.
  const op = OPERATORS.find((o) => rule[o] !== undefined) ?? 'exists';
  const expected = rule[op];
  let matched: boolean;
  switch (op) {
    case 'equals':
      matched = value === expected;
      break;
    case 'in':
      matched = (expected as unknown[]).includes(value);
      break;
    case 'gt':
      matched = typeof value === 'number' && value > (expected as number);
      break;
    case 'gte':
      matched = typeof value === 'number' && value >= (expected as number);
      break;
    case 'lt':
      matched = typeof value === 'number' && value < (expected as number);
      break;
    case 'lte':
      matched = typeof value === 'number' && value <= (expected as number);
      break;
    case 'exists':
      matched = (value !== undefined && value !== null) === expected;
      break;
  }
  return { matched, detail: `${rule.field} is ${shown} (rule: ${op} ${JSON.stringify(expected)})` };
}

/**
 * Post-review sampling: the same decision gets the same answer on any replica. The
 * chance is the configured rate weighted towards low confidence: 2(1-c)/(1-t) times the
 * rate for confidence c above the auto-approve threshold t (averaging the rate over that
 * band), twice the rate below it; never above 1.
 */
export function sampledForPostReview(decisionId: string, confidence: number, rate: number, autoApproveConfidence: number | 'never'): boolean {
  if (rate <= 0) return false;
  // Under `never` only the amount rule auto-approves: every confidence is weighted alike.
  const weight =
    autoApproveConfidence === 'never' || autoApproveConfidence >= 1
      ? 1
      : confidence >= autoApproveConfidence
        ? (2 * (1 - confidence)) / (1 - autoApproveConfidence)
        : 2;
  const chance = Math.min(1, rate * weight);
  const digest = createHash('sha256').update(`post-review:${decisionId}`).digest();
  const draw = digest.readUIntBE(0, 6) / 2 ** 48;
  return draw < chance;
}

function money(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** What the router knows about a proposal beyond its content. */
export interface Provenance {
  /**
   * Whether the proposal carried its agent's verified signature. False for an unsigned
   * proposal a sandbox workspace admitted: nothing proves which agent sent it, so it
   * never runs without a person deciding first (blocks stay blocks).
   */
  signed: boolean;
  /**
   * The proposal's place in a repair chain, from the router's own records: the attempts
   * before it, or why its `repair_of` is refused. Absent where there is no agent to send
   * parameters back to (a reviewer's edit, `hitl manifest explain`): parameters that fail the
   * schema are then blocked, as in v1.
   */
  repair?: RepairHistory;
  /**
   * An operator's pause covering this proposal (its agent, its action or its workspace), as
   * the router read it from control.changed: `review` sends it to a person wherever the
   * manifest would have let it run alone; `block` blocks it. Absent: nothing is paused.
   */
  pause?: ActivePause;
  /** The action's probation in this workspace, from the router's records: a person decides every decision of it. */
  probation?: ActiveProbation;
}

/** A pause in force, as routing needs it. */
export interface ActivePause {
  id: string;
  effect: 'review' | 'block';
  reason: string;
  paused_by: string;
  /** What it covers, in words: `agent refund-bot`, `action process_refund`, `the whole workspace`. */
  covers: string;
}

/** Applies the manifest's routing order to one decision (manifest.md); pure, `now` is an input. */
export function route(decision: DecisionProposedData, manifest: Manifest, now: Date, provenance: Provenance = { signed: true }): Routing {
  const reasons: Reason[] = [];
  const step = (rule: string, detail: string) => reasons.push({ rule, detail });
  // The attempts before this one, as the router recorded them (none outside a repair chain).
  const history = provenance.repair;
  const earlier = history && 'earlier' in history ? history.earlier : [];
  const attempt = earlier.length + 1;
  const chain = (action: ResolvedAction, errors: ParameterError[]): RepairAttempt[] =>
    [...earlier, { decision_id: decision.decision_id, attempt, parameters: decision.parameters, errors }].map((a) => ({
      ...a,
      parameters: maskParameters(a.parameters, action.redact),
    }));
  const outcome = (verdict: Verdict, action: ResolvedAction | null, extra: Partial<Routing> = {}): Routing => ({
    verdict,
    mode: action?.mode ?? null,
    reasons,
    alert: false,
    manifestVersion: manifest.version,
    approval: null,
    postReview: null,
    parameterErrors: null,
    // Whoever reviews a repaired decision sees the attempts before it.
    repairAttempts: action && earlier.length > 0 ? chain(action, []) : null,
    ...extra,
  });

  // 1. Unknown means unclassified.
  const action = manifest.actions.get(decision.action);
  if (!action) {
    step('unknown_action', `"${decision.action}" is not an action of the manifest; unclassified actions are blocked`);
    return outcome('block', null);
  }
  step('action', `${action.name}: severity ${action.severity}, ${action.reversible ? 'reversible' : 'irreversible'}, mode ${action.mode}`);

  // An operator's kill switch: a blocking pause stops it here, whatever the manifest says.
  const pause = provenance.pause;
  const paused = pause ? `${pause.covers} paused by ${pause.paused_by} (pause ${pause.id}): ${pause.reason}` : '';
  if (pause?.effect === 'block') {
    step('paused', `${paused}; proposals it covers are blocked until it is resumed`);
    return outcome('block', action);
  }

  const plan = (route: ApprovalRoute, startTier: number, urgency: Urgency): ApprovalPlan => {
    const path = action.escalationPath.slice(startTier);
    const expiresAt = route === 'post_review' ? null : new Date(now.getTime() + action.approvalTimeoutSeconds * 1000);
    // The first tier's deadline: its SLA, or its share of the time before expiry, so every tier is offered it.
    const deadline = (tier: number, offeredAt: Date) =>
      tierDeadline({ slaMinutes: action.slaMinutes[urgency], expiresAt, onTimeout: action.onTimeout, tier, pathLength: path.length }, offeredAt);
    const slaDeadline = deadline(0, now);
    const tierDeadlines: { role: string; until: string }[] = [];
    for (let tier = 0, offeredAt = now; tier < path.length; tier++) {
      const until = deadline(tier, offeredAt);
      tierDeadlines.push({ role: path[tier], until: until.toISOString() });
      offeredAt = until;
    }
    return {
      route,
      reviewer_role: path[0],
      escalation_path: path,
      urgency,
      sla_deadline: slaDeadline.toISOString(),
      expires_at: expiresAt?.toISOString() ?? null,
      on_timeout: action.onTimeout,
      required_approvals: action.requiredApprovals,
      rollback_window_seconds: route === 'post_review' ? action.rollbackWindowSeconds : null,
      tier_deadlines: tierDeadlines,
    };
  };
  const urgency = decision.urgency ?? DEFAULT_URGENCY;
  const humanReview = () => outcome('human_review', action, { approval: plan('human_review', 0, urgency) });

  // A repair: only of its own agent's decision sent back for one (the router checked its records).
  if (history && 'refused' in history) {
    step('repair_refused', history.refused);
    return outcome('block', action);
  }
  if (earlier.length > 0) {
    step(
      'repair_of',
      `repairs decision ${decision.repair_of ?? earlier[earlier.length - 1].decision_id}: attempt ${attempt} of the chain begun by decision ${earlier[0].decision_id}`,
    );
  }

  // 2. Parameters must match the action's schema: sent back to an agent that can repair them
  // (at most repair.max_attempts times), else a person reviews every attempt with its errors.
  if (action.validateParameters && !action.validateParameters(decision.parameters)) {
    const errors = parameterErrors(action.validateParameters.errors);
    const invalid = `parameters do not match the action's schema: ${describeErrors(errors)}`;
    if (!history) {
      step('parameters_invalid', invalid);
      return outcome('block', action);
    }
    const sentBack = earlier.length;
    if (decision.repairable === true && sentBack < action.repairMaxAttempts) {
      step('parameters_invalid', `${invalid}; sent back to the agent to repair (repair ${sentBack + 1} of ${action.repairMaxAttempts})`);
      return outcome('block', action, { parameterErrors: errors, repairAttempts: null });
    }
    step('parameters_invalid', invalid);
    for (const before of earlier) step('repair_attempt', `attempt ${before.attempt} (decision ${before.decision_id}): ${describeErrors(before.errors)}`);
    if (decision.repairable !== true) {
      step(
        'repair_unavailable',
        `the agent did not say it can repair its parameters (repairable): a ${action.escalationPath[0]} reviews them with their errors`,
      );
    } else {
      step(
        'repair_exhausted',
        `the manifest allows ${action.repairMaxAttempts} repair${action.repairMaxAttempts === 1 ? '' : 's'}: a ${action.escalationPath[0]} reviews the ${attempt} attempt${attempt === 1 ? '' : 's'} side by side`,
      );
    }
    const review = humanReview();
    // Parameters that fail the schema never run by waiting out the reviewer.
    if (review.approval?.on_timeout === 'approve') review.approval.on_timeout = 'deny';
    return { ...review, repairAttempts: chain(action, errors) };
  }
  step('parameters', action.validateParameters ? "parameters match the action's schema" : 'the action declares no parameters schema');

  // Where the manifest would approve without a person, an unsigned or paused proposal goes to
  // the action's first tier instead; nor may its timeout approve it (that is autonomy too).
  const noAutonomy = (rule: string, detail: string): Routing => {
    step(rule, detail);
    const review = humanReview();
    if (review.approval?.on_timeout === 'approve') review.approval.on_timeout = 'deny';
    return review;
  };
  const probation = provenance.probation;
  const reviewInstead = (): Routing =>
    pause
      ? noAutonomy('paused', `${paused}; a person reviews what it covers until it is resumed`)
      : probation
        ? noAutonomy(
            'probation',
            `on probation (${probation.approved_unchanged} of ${probation.decisions}): ${probation.reason}; every decision goes to a person until ${probation.decisions} reviewed decisions are approved unchanged at ${Math.round(probation.approved_unchanged_rate * 1000) / 10}% or better (${probation.reviewed} reviewed so far)`,
          )
        : noAutonomy('unsigned_agent', 'unsigned proposal: a workspace that admits unsigned agents gets no autonomy');
  const mayRunAlone = provenance.signed && !pause && !probation;

  // 3. Modes that act without waiting.
  if (action.mode === 'autonomous') {
    step('mode_autonomous', 'the action runs without review');
    return mayRunAlone ? outcome('auto_approve', action) : reviewInstead();
  }
  if (action.mode === 'log_and_alert') {
    step('mode_log_and_alert', 'the action runs without review; operations are alerted');
    return mayRunAlone ? outcome('auto_approve', action, { alert: true }) : reviewInstead();
  }
  if (action.mode === 'review_after') {
    step(
      'mode_review_after',
      `the action runs now; a ${action.escalationPath[0]} reviews it after the fact${action.rollbackWindowSeconds ? ` within a ${action.rollbackWindowSeconds} s rollback window` : ''}`,
    );
    return mayRunAlone ? outcome('auto_approve', action, { postReview: plan('post_review', 0, urgency) }) : reviewInstead();
  }

  // 4. Above the ceiling a human always decides; without an amount, one decides too.
  const hasAmountRules = action.autoApproveBelowUsd !== null || action.alwaysApproveAboveUsd !== null;
  const rawAmount = readPath(decision.parameters, action.amountField);
  const amount = typeof rawAmount === 'number' && Number.isFinite(rawAmount) ? rawAmount : null;
  if (hasAmountRules && amount === null) {
    step('amount_missing', `amount missing: parameters.${action.amountField} is not a number, so a human reviews it`);
    return humanReview();
  }
  // Above the ceiling the outcome is at least a human's review; the triggers below may still escalate it.
  let aboveCeiling: string | null = null;
  if (amount !== null && action.alwaysApproveAboveUsd !== null) {
    if (amount > action.alwaysApproveAboveUsd) aboveCeiling = `amount ${money(amount)} is above ${money(action.alwaysApproveAboveUsd)}`;
    step(
      'amount_ceiling',
      aboveCeiling
        ? `${aboveCeiling}: at least a human review; the escalation triggers may still raise it`
        : `amount ${money(amount)} is not above ${money(action.alwaysApproveAboveUsd)}`,
    );
  }

  // 5. Escalation triggers.
  const triggers: string[] = [];
  for (const rule of action.escalateWhen) {
    const { matched, detail } = matchRule(rule, decision);
    if (matched) triggers.push(detail);
  }
  if (decision.confidence < action.escalateConfidence) {
    triggers.push(`confidence ${decision.confidence} is below the escalation threshold ${action.escalateConfidence}`);
  }
  if (decision.uncertainty_factors.length > action.maxUncertaintyFactors) {
    triggers.push(`${decision.uncertainty_factors.length} uncertainty factors, more than ${action.maxUncertaintyFactors}`);
  }
  if (triggers.length > 0) {
    step('escalate', triggers.join('; '));
    const start = action.escalationPath.length > 1 ? 1 : 0;
    return outcome('escalate', action, { approval: plan('escalate', start, raiseUrgency(urgency)) });
  }
  step(
    'escalation_triggers',
    `none matched (confidence ${decision.confidence} ≥ ${action.escalateConfidence}, ${decision.uncertainty_factors.length} uncertainty factors ≤ ${action.maxUncertaintyFactors})`,
  );
  if (aboveCeiling) {
    step('amount_above_ceiling', `${aboveCeiling}: a human always decides, whatever the confidence`);
    return humanReview();
  }

  // 6 and 7. Auto-approval, unless the agent asked for a human.
  const autoApprove = (rule: string, detail: string): Routing => {
    step(rule, detail);
    if (!mayRunAlone) return reviewInstead();
    const sampled = sampledForPostReview(decision.decision_id, decision.confidence, action.postReviewSampleRate, action.autoApproveConfidence);
    if (sampled) step('post_review_sample', `sampled for review after the fact (rate ${action.postReviewSampleRate}, weighted towards low confidence)`);
    return outcome('auto_approve', action, { postReview: sampled ? plan('post_review', 0, urgency) : null });
  };
  if (decision.recommended_review) {
    step('recommended_review', 'the agent asked for a human review');
  } else {
    if (amount !== null && action.autoApproveBelowUsd !== null && amount < action.autoApproveBelowUsd) {
      return autoApprove('amount_below_auto_approve', `amount ${money(amount)} is below ${money(action.autoApproveBelowUsd)}`);
    }
    if (action.autoApproveConfidence === 'never') {
      step('confidence_never_auto_approves', `confidence never auto-approves ${action.name} (auto_approve_confidence: never)`);
    } else if (decision.confidence >= action.autoApproveConfidence) {
      return autoApprove('confidence_auto_approve', `confidence ${decision.confidence} is at or above ${action.autoApproveConfidence}`);
    } else {
      step('confidence_below_auto_approve', `confidence ${decision.confidence} is below the auto-approve threshold ${action.autoApproveConfidence}`);
    }
  }

  // 8. Otherwise a human decides.
  step('human_review', `a ${action.escalationPath[0]} decides`);
  return humanReview();
}
