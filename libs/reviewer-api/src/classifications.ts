// Unknown actions a person classifies: GET /classifications, GET /classifications/:id,
// POST /classifications/:id/classify and POST /classifications/:id/dismiss.
import { z } from 'zod';
import { Severity, Timestamp } from './values';

/** An action's mode in the manifest. */
export const ActionMode = z.enum(['approve_before', 'review_after', 'log_and_alert', 'autonomous']);
export type ActionMode = z.infer<typeof ActionMode>;

/** `open` until someone classifies it (a manifest change is suggested) or dismisses it (e.g. a typo by the agent). */
export const ClassificationStatus = z.enum(['open', 'classified', 'dismissed']);
export type ClassificationStatus = z.infer<typeof ClassificationStatus>;

/** One blocked decision of the action: parameter names only, never values (nobody declared what to redact yet). */
export const ClassificationExample = z.object({
  decision_id: z.string(),
  seen_at: Timestamp,
  parameter_names: z.array(z.string()),
  confidence: z.number(),
});
export type ClassificationExample = z.infer<typeof ClassificationExample>;

/** What a classifier said; the keys are the manifest's own. */
export const ClassifyBody = z.strictObject({
  severity: Severity,
  reversible: z.boolean({ error: 'must be true or false: can the action be undone?' }),
  approval_required: z.boolean().optional(),
  mode: ActionMode.optional(),
  /** Reviewer roles, tier by tier; the manifest's defaults when absent. */
  escalation_path: z.array(z.string().trim().min(1).max(100)).min(1).max(10).optional(),
  /** Who is accountable for the action's autonomy level. */
  owner: z.string().trim().min(1).max(200).optional(),
  description: z.string().trim().min(1).max(2000).optional(),
  /** A JSON Schema of the action's parameters. */
  parameters_schema: z.record(z.string(), z.unknown()).optional(),
});
export type ClassifyBody = z.infer<typeof ClassifyBody>;

export const DismissBody = z.strictObject({
  reason: z
    .string({ error: 'must say, as text, why the action is not classified' })
    .trim()
    .min(1, { error: 'must not be blank' })
    .max(4000, { error: 'must be at most 4000 characters' }),
});
export type DismissBody = z.infer<typeof DismissBody>;

/** One unknown action of one workspace, however many of its decisions were blocked. */
export const ClassificationItem = z.object({
  id: z.string(),
  workspace: z.string(),
  action: z.string(),
  status: ClassificationStatus,
  /** Blocked decisions of it, each counted once. */
  occurrences: z.number().int(),
  first_seen_at: Timestamp,
  last_seen_at: Timestamp,
  /** The most recent, at most 5. */
  examples: z.array(ClassificationExample),
  /** The role the workspace's manifest names to classify it (unknown_actions.classify_role); null: nobody. */
  classify_role: z.string().nullable(),
  /** The manifest version of the latest blocked decision. */
  manifest_version: z.string(),
  /** Who classified or dismissed it, and when; null while open. */
  closed_by: z.string().nullable(),
  closed_at: Timestamp.nullable(),
  /** The classification as sent (classified only). */
  classification: ClassifyBody.nullable(),
  /** The suggested manifest change, a unified diff (classified only). */
  suggested_patch: z.string().nullable(),
  /** Why it was dismissed (dismissed only). */
  dismiss_reason: z.string().nullable(),
});
export type ClassificationItem = z.infer<typeof ClassificationItem>;

export const ClassificationPage = z.object({ items: z.array(ClassificationItem) });
export type ClassificationPage = z.infer<typeof ClassificationPage>;

/** GET /classifications?status=: open by default; `all` for every status. */
export const ClassificationQuery = z.strictObject({ status: z.enum(['open', 'classified', 'dismissed', 'all']).default('open') });
export type ClassificationQuery = z.infer<typeof ClassificationQuery>;

/**
 * What classifying answers: the suggested manifest change for code review. Nothing is applied
 * and nothing is approved: the blocked decisions stay blocked, and the agent proposes again
 * once the changed manifest is in force.
 */
export const ClassifyAnswer = z.object({
  classification: ClassificationItem,
  /** A unified diff of the manifest file the service loaded for the workspace (`git apply` takes it). */
  patch: z.string(),
  /** That file, relative to the service's working directory when inside it. */
  manifest_path: z.string(),
  /** The version of the manifest in force when it was classified. */
  manifest_version: z.string(),
  /** The mode the action gets once the change is in force (from severity x reversibility unless named). */
  mode: ActionMode,
});
export type ClassifyAnswer = z.infer<typeof ClassifyAnswer>;
