import { createHash } from 'node:crypto';
import { OnTimeout, Urgency, canonicalJson } from '@hitl/contracts';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { tierShareSeconds } from '@hitl/approvals';
import { linearRegExp, patternIssues } from './linear-pattern';
import { BUILT_IN_DEFAULTS, CanaryItem, EscalateWhen, ManifestDocument, Mode, RollbackTested, Severity } from './manifest.schema';
import { ActionTemplate, parseTemplate, undeclaredFields } from './render-template';

/** One action's policy with every default applied: what routing reads. */
export interface ResolvedAction {
  name: string;
  severity: Severity;
  reversible: boolean;
  mode: Mode;
  onTimeout: OnTimeout;
  approvalTimeoutSeconds: number;
  /** The longest a clarification pauses the approval's clocks; after it they run again. */
  clarificationTimeoutSeconds: number;
  slaMinutes: Record<Urgency, number>;
  escalationPath: string[];
  requiredApprovals: number;
  postReviewSampleRate: number;
  /** How long a post-review waits for a reviewer before it ends unreviewed: its own review window, else the rollback window, else the defaults'. */
  postReviewWindowSeconds: number;
  maxUncertaintyFactors: number;
  /** `never`: confidence alone never auto-approves it. */
  autoApproveConfidence: number | 'never';
  escalateConfidence: number;
  amountField: string;
  autoApproveBelowUsd: number | null;
  alwaysApproveAboveUsd: number | null;
  escalateWhen: EscalateWhen[];
  /** Checks parameters against the action's `parameters_schema`; absent when it has none. */
  validateParameters: ValidateFunction | null;
  rollbackWindowSeconds: number | null;
  /** The reviewed record that its rollback was tried (`rollback_tested`); null: none. */
  rollbackTested: RollbackTested | null;
  redact: string[];
  /** The action's `render` template, parsed; null: the rendering lists every parameter by name. */
  render: ActionTemplate | null;
  auditLog: boolean;
  owner: string | null;
  /** How many times parameters that fail the schema go back to the agent before a person reviews (v1.1 `repair`). */
  repairMaxAttempts: number;
  /** What ends a probation (v1.1 `probation`): this many reviewed decisions approved unchanged at this rate; 0 decisions: none. */
  probation: { decisions: number; approvedUnchangedRate: number };
}

export interface Manifest {
  /** `sha256:` + hex of the canonical JSON of the document: same policy, same version, whatever the formatting. */
  version: string;
  document: ManifestDocument;
  actions: ReadonlyMap<string, ResolvedAction>;
  /** The role that classifies actions the manifest does not know; null: nobody is asked. */
  classifyRole: string | null;
  /** Who takes over a session an end user asked a person for (v1.1 `handoff`), and each role's minutes to take it. */
  handoff: { escalationPath: string[]; slaMinutes: number };
  /** Known-answer items mixed into reviewers' queues at `rate` (v1.1 `canaries`); null: none. */
  canaries: { rate: number; items: CanaryItem[] } | null;
}

export interface ManifestIssue {
  /** Where, e.g. `actions.process_refund.on_timeout`. */
  path: string;
  message: string;
}

export class ManifestError extends Error {
  constructor(readonly issues: ManifestIssue[]) {
    super(`invalid manifest:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
    this.name = 'ManifestError';
  }
}

/** The mode an action has when it names none: the seed's severity x reversibility table. */
export function modeFor(severity: Severity, reversible: boolean): Mode {
  const high = severity === 'high' || severity === 'critical';
  if (high) return reversible ? 'review_after' : 'approve_before';
  return reversible ? 'autonomous' : 'log_and_alert';
}

export function manifestVersion(document: unknown): string {
  const canonical = canonicalJson(document);
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}

export interface ManifestOptions {
  /**
   * The least time a tier of an escalation path may get before `on_timeout` applies
   * (manifest v1.1, "Tier deadlines"): 60 s. Only tests that run real timers in seconds
   * set it lower.
   */
  minTierShareSeconds?: number;
}

export const MIN_TIER_SHARE_SECONDS = 60;

/** Parses and validates manifest YAML; throws a ManifestError naming every bad action and field. */
export function loadManifest(yamlText: string, options: ManifestOptions = {}): Manifest {
  const doc = parseDocument(yamlText, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ManifestError(doc.errors.map((e) => ({ path: '', message: `YAML: ${e.message.split('\n')[0]}` })));
  }
  return buildManifest(doc.toJS(), options);
}

/** Validates an already-parsed manifest document (e.g. from JSON). */
export function buildManifest(raw: unknown, options: ManifestOptions = {}): Manifest {
  const minTierShare = options.minTierShareSeconds ?? MIN_TIER_SHARE_SECONDS;
  const parsed = ManifestDocument.safeParse(raw);
  if (!parsed.success) throw new ManifestError(zodIssues(parsed.error));
  const document = parsed.data;
  const issues: ManifestIssue[] = [];
  // Patterns run on RE2 (linear time), never on JavaScript's backtracking engine.
  const ajv = new Ajv({ allErrors: true, strict: false, code: { regExp: linearRegExp } });
  addFormats(ajv);

  const defaults = { ...BUILT_IN_DEFAULTS, ...stripUndefined(document.defaults ?? {}) };
  const actions = new Map<string, ResolvedAction>();
  for (const [name, policy] of Object.entries(document.actions)) {
    const at = (field: string) => `actions.${name}.${field}`;
    if (policy.approval_required === true && policy.mode !== undefined && policy.mode !== 'approve_before') {
      issues.push({ path: at('mode'), message: `is ${policy.mode}, but approval_required: true means approve_before` });
    }
    const mode: Mode = policy.approval_required ? 'approve_before' : (policy.mode ?? modeFor(policy.severity, policy.reversible));
    const onTimeout = policy.on_timeout ?? defaults.on_timeout;
    if (onTimeout === 'approve' && !(policy.severity === 'low' && policy.reversible)) {
      const from = policy.on_timeout === undefined ? ' (inherited from defaults.on_timeout)' : '';
      issues.push({
        path: at('on_timeout'),
        message: `approve${from} is allowed only for severity: low and reversible: true (this action is ${policy.severity}, ${policy.reversible ? 'reversible' : 'irreversible'}); an agent must never get approval by waiting out a reviewer`,
      });
    }
    const autoApproveConfidence = policy.thresholds?.auto_approve_confidence ?? defaults.auto_approve_confidence;
    const escalateConfidence = policy.thresholds?.escalate_confidence ?? defaults.escalate_confidence;
    if (autoApproveConfidence !== 'never' && escalateConfidence > autoApproveConfidence) {
      issues.push({ path: at('thresholds'), message: `escalate_confidence ${escalateConfidence} is above auto_approve_confidence ${autoApproveConfidence}` });
    }
    const below = policy.conditions?.auto_approve_below_usd ?? null;
    const above = policy.conditions?.always_approve_above_usd ?? null;
    if (below !== null && above !== null && below > above) {
      issues.push({ path: at('conditions'), message: `auto_approve_below_usd ${below} is above always_approve_above_usd ${above}` });
    }
    // Every tier must really be offered the decision before on_timeout applies.
    const approvalTimeoutSeconds = policy.approval_timeout_seconds ?? defaults.approval_timeout_seconds;
    const escalationPath = policy.escalation_path ?? defaults.escalation_path;
    const share = tierShareSeconds(approvalTimeoutSeconds, onTimeout, escalationPath.length);
    if (share < minTierShare) {
      const from = policy.approval_timeout_seconds === undefined ? ' (from defaults)' : '';
      issues.push({
        path: at('approval_timeout_seconds'),
        message:
          onTimeout === 'escalate'
            ? `${approvalTimeoutSeconds} s${from} gives each tier under ${minTierShare} s before on_timeout escalates it`
            : `${approvalTimeoutSeconds} s${from} shared by the ${escalationPath.length} tiers of escalation_path [${escalationPath.join(', ')}] is ${Math.floor(share * 10) / 10} s a tier, under ${minTierShare} s: a tier would never really be offered the decision`,
      });
    }
    let validateParameters: ValidateFunction | null = null;
    const refusedPatterns = policy.parameters_schema ? patternIssues(policy.parameters_schema) : [];
    issues.push(...refusedPatterns.map((issue) => ({ path: at(`parameters_schema.${issue.path}`), message: issue.message })));
    if (policy.parameters_schema && refusedPatterns.length === 0) {
      try {
        validateParameters = ajv.compile(policy.parameters_schema);
      } catch (error) {
        issues.push({ path: at('parameters_schema'), message: `is not a valid JSON Schema: ${(error as Error).message}` });
      }
    }
    if (policy.rollback_tested && !(policy.reversible && policy.rollback_window_seconds)) {
      issues.push({
        path: at('rollback_tested'),
        message: `needs reversible: true and a rollback_window_seconds: there is no rollback of this action to have tested`,
      });
    }
    const render = policy.render === undefined ? null : renderTemplate(policy.render, policy.parameters_schema, at('render'), issues);
    actions.set(name, {
      name,
      severity: policy.severity,
      reversible: policy.reversible,
      mode,
      onTimeout,
      approvalTimeoutSeconds,
      clarificationTimeoutSeconds: policy.clarification_timeout_seconds ?? defaults.clarification_timeout_seconds,
      slaMinutes: policy.sla_minutes ?? defaults.sla_minutes,
      escalationPath,
      requiredApprovals: policy.required_approvals ?? defaults.required_approvals,
      postReviewSampleRate: policy.post_review_sample_rate ?? defaults.post_review_sample_rate,
      postReviewWindowSeconds: policy.post_review_window_seconds ?? policy.rollback_window_seconds ?? defaults.post_review_window_seconds,
      maxUncertaintyFactors: policy.max_uncertainty_factors ?? defaults.max_uncertainty_factors,
      autoApproveConfidence,
      escalateConfidence,
      amountField: policy.amount_field ?? 'amount_usd',
      autoApproveBelowUsd: below,
      alwaysApproveAboveUsd: above,
      escalateWhen: policy.escalate_when ?? [],
      validateParameters,
      rollbackWindowSeconds: policy.rollback_window_seconds ?? null,
      rollbackTested: policy.rollback_tested ?? null,
      redact: policy.redact ?? [],
      render,
      auditLog: policy.audit_log ?? true,
      owner: policy.owner ?? null,
      repairMaxAttempts: (policy.repair ?? defaults.repair).max_attempts,
      probation: {
        decisions: (policy.probation ?? defaults.probation).decisions,
        approvedUnchangedRate: (policy.probation ?? defaults.probation).approved_unchanged_rate,
      },
    });
  }
  issues.push(...canaryIssues(document, actions));
  if (issues.length > 0) throw new ManifestError(issues);
  const handoff = {
    escalationPath: document.handoff?.escalation_path ?? defaults.escalation_path,
    slaMinutes: document.handoff?.sla_minutes ?? defaults.sla_minutes.high,
  };
  const canaries = document.canaries ? { rate: document.canaries.rate, items: document.canaries.items } : null;
  return { version: manifestVersion(raw), document, actions, classifyRole: document.unknown_actions?.classify_role ?? null, handoff, canaries };
}

/** Each canary must be a decision the manifest could really route: a known action, parameters its schema accepts. */
function canaryIssues(document: ManifestDocument, actions: ReadonlyMap<string, ResolvedAction>): ManifestIssue[] {
  return (document.canaries?.items ?? []).flatMap((item, i) => {
    const at = (field: string) => `canaries.items.${i}.${field}`;
    const action = actions.get(item.action);
    if (!action) return [{ path: at('action'), message: `names no action of this manifest (${item.action})` }];
    if (!action.validateParameters || action.validateParameters(item.parameters)) return [];
    return (action.validateParameters.errors ?? []).map((e) => ({
      path: at(`parameters${e.instancePath.replace(/\//g, '.')}`),
      message: `${e.message ?? 'is invalid'} (parameters_schema of ${item.action})`,
    }));
  });
}

/** The parsed template, or null with issues: bad syntax, or a field the parameters schema does not declare. */
function renderTemplate(source: string, schema: Record<string, unknown> | undefined, path: string, issues: ManifestIssue[]): ActionTemplate | null {
  const { template, parsed, problems } = parseTemplate(source);
  issues.push(...problems.map((message) => ({ path, message })));
  const undeclared = undeclaredFields(parsed, schema);
  issues.push(
    ...undeclared.map((field) => ({
      path,
      message: schema
        ? `refers to {{${field}}}, a field parameters_schema does not have`
        : `refers to {{${field}}}, but the action has no parameters_schema to say the field exists`,
    })),
  );
  return undeclared.length > 0 ? null : template;
}

function zodIssues(error: z.ZodError): ManifestIssue[] {
  return error.issues.flatMap((issue) => {
    // Unknown keys are reported on their parent: name each key itself.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: 'unknown field' }));
    }
    return [{ path: issue.path.join('.'), message: issue.message }];
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
