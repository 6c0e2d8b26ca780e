import { OnTimeout, Urgency } from '@hitl/contracts';
import { z } from 'zod';

// The action manifest (v1), as ../shared/spec/manifest.md describes it. Objects are
// strict: a misspelt key is an error that names it, never a silently ignored policy.

export const Severity = z.enum(['low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const Mode = z.enum(['approve_before', 'review_after', 'log_and_alert', 'autonomous']);
export type Mode = z.infer<typeof Mode>;

const Confidence = z.number().min(0).max(1);
/** `never`: confidence alone never auto-approves the action (manifest v1.1); 1 still means "at confidence 1". */
const AutoApproveConfidence = z
  .union([z.number(), z.literal('never')], { error: 'must be a number from 0 to 1, or never' })
  .refine((v) => v === 'never' || (v >= 0 && v <= 1), { error: 'must be a number from 0 to 1, or never' });
const Role = z.string().min(1);
const Seconds = z.number().int().positive();
/** A week: a question to the agent never holds the clocks longer than that. */
export const MAX_CLARIFICATION_TIMEOUT_SECONDS = 7 * 24 * 3600;

export const SlaMinutes = z.strictObject({
  low: z.number().positive(),
  normal: z.number().positive(),
  high: z.number().positive(),
  critical: z.number().positive(),
});
export type SlaMinutes = z.infer<typeof SlaMinutes>;

/** The decision fields an `escalate_when` rule may test (first segment of its path). */
export const DECISION_ROOTS = [
  'action',
  'agent',
  'confidence',
  'context',
  'on_behalf_of',
  'parameters',
  'recommended_review',
  'session_id',
  'uncertainty_factors',
  'urgency',
  'workflow',
] as const;

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** One escalation trigger: a path into the decision and exactly one comparison. */
export const EscalateWhen = z
  .strictObject({
    field: z
      .string()
      .min(1)
      .refine((f) => (DECISION_ROOTS as readonly string[]).includes(f.split('.')[0]), {
        message: `must start with one of: ${DECISION_ROOTS.join(', ')}`,
      }),
    equals: Scalar.optional(),
    in: z.array(Scalar).min(1).optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    exists: z.boolean().optional(),
  })
  .refine((rule) => OPERATORS.filter((op) => rule[op] !== undefined).length === 1, {
    message: `needs exactly one of: ${['equals', 'in', 'gt', 'gte', 'lt', 'lte', 'exists'].join(', ')}`,
  });
export type EscalateWhen = z.infer<typeof EscalateWhen>;
export const OPERATORS = ['equals', 'in', 'gt', 'gte', 'lt', 'lte', 'exists'] as const;

export const Thresholds = z.strictObject({
  auto_approve_confidence: AutoApproveConfidence.optional(),
  escalate_confidence: Confidence.optional(),
});

export const RollbackTested = z.strictObject({
  on: z.iso.date({ error: 'must be a date, YYYY-MM-DD' }),
  by: z.string().min(1, { error: 'must name who tested it' }),
  evidence: z.string().min(1, { error: 'must say where the test is recorded (a runbook, a ticket, a test run)' }),
});
export type RollbackTested = z.infer<typeof RollbackTested>;

export const Conditions = z.strictObject({
  auto_approve_below_usd: z.number().nonnegative().optional(),
  always_approve_above_usd: z.number().nonnegative().optional(),
});

/** Settings an action may set itself, falling back to `defaults`, then to built-in values. */
const Inheritable = {
  on_timeout: OnTimeout.optional(),
  approval_timeout_seconds: Seconds.optional(),
  clarification_timeout_seconds: Seconds.max(MAX_CLARIFICATION_TIMEOUT_SECONDS, {
    error: `must be at most ${MAX_CLARIFICATION_TIMEOUT_SECONDS} (a week)`,
  }).optional(),
  sla_minutes: SlaMinutes.optional(),
  escalation_path: z.array(Role).min(1).optional(),
  required_approvals: z.number().int().min(1).optional(),
  post_review_sample_rate: z.number().min(0).max(1).optional(),
  /**
   * How long a post-review waits for a reviewer before it ends unreviewed. Unset: the
   * action's rollback window, else the defaults' review window, else a day.
   */
  post_review_window_seconds: Seconds.min(60, { error: 'must be at least 60 (a minute): a reviewer needs time to look' }).optional(),
  max_uncertainty_factors: z.number().int().min(0).optional(),
  /** Parameters that fail the schema go back to the agent with the errors, at most this many times; then a person reviews. */
  repair: z.strictObject({ max_attempts: z.number().int().min(0).max(10) }).optional(),
  /**
   * Probation (manifest v1.1): an action new to the workspace's manifest, or whose entry widens
   * its autonomy, goes to a person every time until `decisions` reviewed decisions were approved
   * unchanged at `approved_unchanged_rate` or better. `decisions: 0`: never on probation.
   */
  probation: z
    .strictObject({
      decisions: z.number().int().min(0).max(100_000),
      approved_unchanged_rate: z.number().gt(0, { error: 'must be above 0 and at most 1' }).max(1, { error: 'must be above 0 and at most 1' }),
    })
    .optional(),
};

export const ActionPolicy = z.strictObject({
  severity: Severity,
  reversible: z.boolean(),
  approval_required: z.boolean().optional(),
  mode: Mode.optional(),
  ...Inheritable,
  amount_field: z.string().min(1).optional(),
  conditions: Conditions.optional(),
  thresholds: Thresholds.optional(),
  escalate_when: z.array(EscalateWhen).optional(),
  parameters_schema: z.record(z.string(), z.unknown()).optional(),
  rollback_window_seconds: Seconds.nullable().optional(),
  /**
   * A reviewed record that the action's rollback was tried and worked (manifest v1.1): one of
   * the ways promotion out of approve_before is earned (the other is a rollback completed by
   * the agent's compensation in production). Only for a reversible action with a rollback window.
   */
  rollback_tested: RollbackTested.optional(),
  redact: z.array(z.string().min(1)).optional(),
  /** The plain-language line reviewers read (manifest v1.1): a logic-less template over `parameters`, checked at load (render-template.ts). */
  render: z.string().optional(),
  audit_log: z.boolean().optional(),
  owner: z.string().optional(),
  description: z.string().optional(),
});
export type ActionPolicy = z.infer<typeof ActionPolicy>;

export const Defaults = z.strictObject({
  auto_approve_confidence: AutoApproveConfidence.optional(),
  escalate_confidence: Confidence.optional(),
  ...Inheritable,
});
export type Defaults = z.infer<typeof Defaults>;

/** Who classifies actions the manifest does not know (the decisions themselves stay blocked). */
export const UnknownActions = z.strictObject({ classify_role: Role });

/**
 * "Get a human" (manifest v1.1): who takes over a session when an agent's end user asks for a
 * person, and how long each role of the path has to take it over before it moves up.
 * Unset: `defaults.escalation_path`, and the SLA of `high` urgency (a person is waiting).
 */
export const HandoffSection = z.strictObject({
  escalation_path: z.array(Role).min(1),
  sla_minutes: z.number().positive().optional(),
});
export type HandoffSection = z.infer<typeof HandoffSection>;

/** One canary: a known-answer decision, written as an agent would propose it, with the answer a careful reviewer gives and why. */
export const CanaryItem = z.strictObject({
  action: z.string().min(1),
  parameters: z.record(z.string(), z.unknown()),
  confidence: Confidence,
  /** What the agent "says" of it: reviewers see it beside the rendering, as with any item. */
  summary: z.string().min(1),
  confidence_basis: z.string().optional(),
  expected: z.enum(['approve', 'deny']),
  why: z.string().min(1),
});
export type CanaryItem = z.infer<typeof CanaryItem>;

/**
 * Canaries (manifest v1.1): known-answer decisions mixed into reviewers' queues to measure
 * attention, as labeling services do with gold questions. Each real approval a person must
 * decide brings a canary along with probability `rate` (decided from its id). A canary is
 * synthetic: never executed, never sent to an agent, never calibrated; answering it scores
 * the reviewer (the calibration report's review quality).
 */
export const CanariesSection = z.strictObject({
  rate: z.number().min(0).max(0.2, { error: 'must be at most 0.2: canaries are a sample, not a second queue' }),
  items: z.array(CanaryItem).min(1),
});
export type CanariesSection = z.infer<typeof CanariesSection>;

export const ManifestDocument = z.strictObject({
  version: z.literal(1).optional(),
  defaults: Defaults.optional(),
  unknown_actions: UnknownActions.optional(),
  handoff: HandoffSection.optional(),
  canaries: CanariesSection.optional(),
  actions: z.record(z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'action names use letters, digits and _ . : -'), ActionPolicy),
});
export type ManifestDocument = z.infer<typeof ManifestDocument>;

/** The built-in values of `defaults` (manifest.md). */
export const BUILT_IN_DEFAULTS = {
  auto_approve_confidence: 0.95 as number | 'never',
  escalate_confidence: 0.6,
  max_uncertainty_factors: 2,
  on_timeout: 'deny' as OnTimeout,
  approval_timeout_seconds: 3600,
  clarification_timeout_seconds: 3600,
  sla_minutes: { low: 240, normal: 60, high: 15, critical: 5 } satisfies Record<Urgency, number>,
  escalation_path: ['reviewer'],
  required_approvals: 1,
  post_review_sample_rate: 0,
  post_review_window_seconds: 86_400,
  repair: { max_attempts: 2 },
  probation: { decisions: 50, approved_unchanged_rate: 0.95 },
};
