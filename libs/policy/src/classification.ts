// Unknown actions, classified by a person (manifest v1.1 `unknown_actions.classify_role`),
// pure: which resolutions count as a sighting of an unclassified action, how sightings add up
// into one item per workspace and action name, who may read and classify an item, and the
// manifest change a classification suggests (a unified diff for code review). Classifying
// never approves a blocked decision: nothing here emits anything.
import { createHash } from 'node:crypto';
import { APPROVAL_RESOLVED, CloudEvent, Principal } from '@hitl/contracts';
import { createTwoFilesPatch } from 'diff';
import { Document, isMap, isScalar, isSeq, parseDocument, stringify, visit } from 'yaml';
import { ManifestError, ManifestIssue, ManifestOptions, ResolvedAction, loadManifest } from './manifest';
import { ManifestDocument, Mode, Severity } from './manifest.schema';

/** Examples an item keeps: the most recent ones. */
export const MAX_CLASSIFICATION_EXAMPLES = 5;
/** Parameter names an example keeps, each at most this long: names only, never values. */
export const MAX_PARAMETER_NAMES = 50;
const MAX_PARAMETER_NAME_LENGTH = 100;

/** One blocked decision of an action the manifest does not know. */
export interface UnknownActionSighting {
  workspace: string;
  action: string;
  decisionId: string;
  /** When the router blocked it (the event's time). */
  seenAt: Date;
  /**
   * The top-level parameter names, sorted; never their values: parameters of an action nobody
   * classified may hold secrets no `redact` list names yet.
   */
  parameterNames: string[];
  confidence: number;
  manifestVersion: string;
}

/** What a classifier reads of one sighting. */
export interface ClassificationExample {
  decision_id: string;
  seen_at: string;
  parameter_names: string[];
  confidence: number;
}

/** An item's counts: one item per workspace and action name, however many decisions were blocked. */
export interface ClassificationTally {
  occurrences: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** The most recent first, at most MAX_CLASSIFICATION_EXAMPLES. */
  examples: ClassificationExample[];
  /** The manifest version of the latest sighting. */
  manifestVersion: string;
}

/**
 * The sighting a resolution is, or null: only the router's own `blocked` of an action the
 * manifest does not know counts. The signature is the authority (`signer`, as the transport
 * verified it): a resolution another key signed, whatever it says, creates nothing.
 */
export function unknownActionSighting(event: CloudEvent<typeof APPROVAL_RESOLVED>, signer: Principal | null): UnknownActionSighting | null {
  const data = event.data;
  if (signer?.kind !== 'service' || signer.service !== 'router') return null;
  if (data.status !== 'blocked' || data.resolved_by.kind !== 'policy' || data.approval_id !== null) return null;
  if (!data.reasons.some((r) => r.rule === 'unknown_action') || data.action.length === 0) return null;
  const seenAt = new Date(event.time);
  return {
    workspace: event.workspaceid,
    action: data.action,
    decisionId: data.decision_id.toLowerCase(),
    seenAt: Number.isNaN(seenAt.getTime()) ? new Date() : seenAt,
    parameterNames: parameterNames(data.parameters),
    confidence: data.confidence,
    manifestVersion: data.manifest_version,
  };
}

/** Top-level parameter names, sorted, capped in number and length. */
export function parameterNames(parameters: Record<string, unknown>): string[] {
  return Object.keys(parameters)
    .map((name) => (name.length > MAX_PARAMETER_NAME_LENGTH ? `${name.slice(0, MAX_PARAMETER_NAME_LENGTH)}…` : name))
    .sort()
    .slice(0, MAX_PARAMETER_NAMES);
}

/**
 * The item's id: the same for a workspace and action name forever (so concurrent first
 * sightings meet on one row), a UUID in form (RFC 9562 version 8, from SHA-256).
 */
export function classificationId(workspace: string, action: string): string {
  const hex = createHash('sha256').update(`unknown-action\u0000${workspace}\u0000${action}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The upsert rule: each sighting counts once (those of decisions already among the examples
 * are ignored; the caller keeps a decision's first sighting and passes only new ones), first
 * and last seen widen, and the examples are the most recent few.
 */
export function tallySightings(item: ClassificationTally | null, sightings: readonly UnknownActionSighting[]): ClassificationTally | null {
  const known = new Set(item?.examples.map((e) => e.decision_id) ?? []);
  const fresh = sightings.filter((s) => {
    if (known.has(s.decisionId)) return false;
    known.add(s.decisionId);
    return true;
  });
  if (fresh.length === 0) return item;
  const examples = [
    ...(item?.examples ?? []),
    ...fresh.map((s) => ({ decision_id: s.decisionId, seen_at: s.seenAt.toISOString(), parameter_names: s.parameterNames, confidence: s.confidence })),
  ]
    .sort((a, b) => b.seen_at.localeCompare(a.seen_at) || a.decision_id.localeCompare(b.decision_id))
    .slice(0, MAX_CLASSIFICATION_EXAMPLES);
  const times = fresh.map((s) => s.seenAt.getTime());
  const latest = fresh.reduce((a, b) => (b.seenAt.getTime() >= a.seenAt.getTime() ? b : a));
  const lastSeenAt = new Date(Math.max(item?.lastSeenAt.getTime() ?? -Infinity, ...times));
  return {
    occurrences: (item?.occurrences ?? 0) + fresh.length,
    firstSeenAt: new Date(Math.min(item?.firstSeenAt.getTime() ?? Infinity, ...times)),
    lastSeenAt,
    examples,
    manifestVersion: item && item.lastSeenAt.getTime() > latest.seenAt.getTime() ? item.manifestVersion : latest.manifestVersion,
  };
}

// --- who may read and classify --------------------------------------------------------

export type ClassificationStatus = 'open' | 'classified' | 'dismissed';
export type ClassificationAct = 'read' | 'classify' | 'dismiss';

/** Why a reviewer may not do what they asked: an HTTP status, a stable code, plain words. */
export interface ClassificationRefusal {
  status: 403 | 409 | 422;
  code: 'wrong_workspace' | 'wrong_role' | 'already_closed' | 'already_in_manifest' | 'invalid_action_name' | 'classification_invalid';
  message: string;
  /** For `classification_invalid`: what the manifest validator said of the result. */
  issues?: ManifestIssue[];
}

export class ClassificationRefused extends Error {
  constructor(readonly refusal: ClassificationRefusal) {
    super(refusal.message);
    this.name = 'ClassificationRefused';
  }
}

export interface Classifier {
  id: string;
  roles: readonly string[];
  workspaces: readonly string[];
  /** Reads every item of its workspaces, classifies nothing. */
  auditor: boolean;
}

const worksIn = (who: Classifier, workspace: string) => who.workspaces.includes('*') || who.workspaces.includes(workspace);

/**
 * May `who` act on an item of `workspace`, whose manifest names `classifyRole` (null: none)?
 * Classifying and dismissing need that role in the workspace; reading needs it too, or the
 * auditor flag. Admins manage reviewers and decide nothing: the role is what counts. The
 * status is checked after (the item's, under its lock).
 */
export function classificationRefusal(who: Classifier, workspace: string, classifyRole: string | null, act: ClassificationAct): ClassificationRefusal | null {
  if (!worksIn(who, workspace)) return { status: 403, code: 'wrong_workspace', message: `${who.id} does not review for workspace ${workspace}` };
  if (act === 'read' && who.auditor) return null;
  if (classifyRole === null) {
    return {
      status: 403,
      code: 'wrong_role',
      message: `the manifest of workspace ${workspace} names no unknown_actions.classify_role: nobody classifies its unknown actions`,
    };
  }
  if (!who.roles.includes(classifyRole)) {
    return {
      status: 403,
      code: 'wrong_role',
      message: `classifying unknown actions needs the role ${classifyRole}; ${who.id} holds ${who.roles.join(', ') || 'none'}`,
    };
  }
  return null;
}

/** An item classified or dismissed stays so: later sightings count on it, nobody decides it twice. */
export function closedRefusal(status: ClassificationStatus): ClassificationRefusal | null {
  return status === 'open' ? null : { status: 409, code: 'already_closed', message: `the unknown action is already ${status}` };
}

// --- the suggested manifest change ------------------------------------------------------

/** What a classifier says of an action: the manifest's own keys, nothing else. */
export interface ActionClassification {
  severity: Severity;
  reversible: boolean;
  approval_required?: boolean;
  mode?: Mode;
  escalation_path?: string[];
  owner?: string;
  description?: string;
  parameters_schema?: Record<string, unknown>;
}

/** The keys in the order the new action's lines show them. */
const KEY_ORDER: (keyof ActionClassification)[] = [
  'severity',
  'reversible',
  'approval_required',
  'mode',
  'escalation_path',
  'owner',
  'description',
  'parameters_schema',
];

export interface ClassificationPatch {
  /** A unified diff of the manifest file (`a/<path>`, `b/<path>`): `git apply` takes it. */
  patch: string;
  /** The manifest's text with the action added. */
  manifestYaml: string;
  /** The action as the changed manifest resolves it (its mode from severity x reversibility, its defaults). */
  action: ResolvedAction;
}

/**
 * The manifest change a classification suggests: the action added to `actions`, with a
 * comment line (`note`) saying who classified it and what was seen, as a unified diff of the
 * manifest's file. The rest of the file keeps its layout, comments and order. The changed
 * manifest must load (every rule of the validator) and know the action; otherwise the
 * classification is refused (422) with the validator's issues. Nothing is applied here.
 */
export function classificationPatch(input: {
  manifestPath: string;
  manifestYaml: string;
  action: string;
  classification: ActionClassification;
  note: string;
  options?: ManifestOptions;
}): ClassificationPatch {
  const { manifestPath, manifestYaml, action, classification, note } = input;
  if (!ManifestDocument.shape.actions.keyType.safeParse(action).success) {
    throw new ClassificationRefused({
      status: 422,
      code: 'invalid_action_name',
      message: `"${action.slice(0, 200)}" cannot be an action of the manifest (names use letters, digits and _ . : -): dismiss it instead`,
    });
  }
  const original = parseDocument(manifestYaml, { uniqueKeys: true });
  const actions = original.get('actions', true);
  if (isMap(actions) && actions.has(action)) {
    throw new ClassificationRefused({ status: 409, code: 'already_in_manifest', message: `${action} is already an action of the manifest ${manifestPath}` });
  }
  const policy = orderedPolicy(classification);
  const inserted = insertAction(manifestYaml, actions, action, policy, note);
  const updated = inserted !== null && keepsTheRest(manifestYaml, inserted, action) ? inserted : rewritten(manifestYaml, action, policy);

  let resolved: ResolvedAction | undefined;
  try {
    resolved = loadManifest(updated, input.options).actions.get(action);
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    throw new ClassificationRefused({
      status: 422,
      code: 'classification_invalid',
      message: `the manifest would not load with ${action} classified so: ${error.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      issues: error.issues,
    });
  }
  if (!resolved) throw new Error(`the suggested manifest does not know ${action}`);
  const patch = createTwoFilesPatch(`a/${manifestPath}`, `b/${manifestPath}`, manifestYaml, updated, undefined, undefined, { context: 3 });
  // git apply and patch want the header lines only: drop jsdiff's "Index"/"====" preamble.
  return { patch: patch.replace(/^(Index:.*\n)?=+\n/, ''), manifestYaml: updated, action: resolved };
}

/** A comment's words on one line: no line breaks or control characters can end the comment early. */
export function commentText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters are what this removes
      .replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 400)
  );
}

function orderedPolicy(classification: ActionClassification): Record<string, unknown> {
  const policy: Record<string, unknown> = {};
  for (const key of KEY_ORDER) if (classification[key] !== undefined) policy[key] = classification[key];
  return policy;
}

/** The policy as YAML lines in the manifest's style: short lists and small maps in flow style. */
function policyLines(policy: Record<string, unknown>, indent: string): string[] {
  const doc = new Document(policy);
  visit(doc, {
    Seq(_key, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  visit(doc, {
    Map(_key, node, path) {
      // The action's own map stays a block; a small map of scalars inside it goes on one line.
      if (path.length > 1 && node.items.length <= 4 && node.items.every((pair) => isScalar(pair.value) || (isSeq(pair.value) && pair.value.flow))) {
        node.flow = true;
      }
    },
  });
  return doc
    .toString({ indent: 2, lineWidth: 0, flowCollectionPadding: true })
    .trimEnd()
    .split('\n')
    .map((line) => `${indent}${line}`);
}

/**
 * The action added in place, after the last action of a block `actions` map (or in place of
 * an empty flow `{}`), indented as its neighbours; null where the text cannot be edited so.
 */
function insertAction(text: string, actions: unknown, action: string, policy: Record<string, unknown>, note: string): string | null {
  if (!isMap(actions) || !actions.range) return null;
  const key = stringify(action).trimEnd();
  const comment = (indent: string) => (note ? [`${indent}# ${commentText(note)}`] : []);
  if (actions.flow) {
    if (actions.items.length > 0) return null;
    // `actions: {}` becomes a block map with the one action, indented two spaces under `actions`.
    const [start, end] = actions.range;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const parentIndent = text.slice(lineStart, start).match(/^\s*/)?.[0] ?? '';
    const indent = `${parentIndent}  `;
    const lines = [...comment(indent), `${indent}${key}:`, ...policyLines(policy, `${indent}  `)];
    // A comment after the `{}` stays on the `actions:` line.
    const lineEnd = text.indexOf('\n', end);
    const tail = text.slice(end, lineEnd === -1 ? text.length : lineEnd);
    return `${text.slice(0, start).trimEnd()}${tail}\n${lines.join('\n')}${lineEnd === -1 ? '\n' : text.slice(lineEnd)}`;
  }
  const first = actions.items[0];
  const last = actions.items[actions.items.length - 1];
  if (!isScalar(first?.key) || !first.key.range) return null;
  const keyStart = first.key.range[0];
  const indent = text.slice(text.lastIndexOf('\n', keyStart - 1) + 1, keyStart);
  if (!/^ *$/.test(indent)) return null;
  // Inside the first action, its keys' indent (else two more spaces).
  const firstValue = first.value;
  const childKey = isMap(firstValue) && !firstValue.flow && isScalar(firstValue.items[0]?.key) ? firstValue.items[0].key : null;
  const childStart = childKey?.range?.[0];
  const childIndent = childStart !== undefined ? text.slice(text.lastIndexOf('\n', childStart - 1) + 1, childStart) : `${indent}  `;
  const lines = [...comment(indent), `${indent}${key}:`, ...policyLines(policy, /^ +$/.test(childIndent) ? childIndent : `${indent}  `)];
  // After the last action: the end of the map's last value, at the start of the next line.
  const valueEnd = isMap(last.value) || isScalar(last.value) || isSeq(last.value) ? (last.value.range?.[1] ?? actions.range[1]) : actions.range[1];
  const endOfLine = text.indexOf('\n', Math.max(valueEnd - 1, 0));
  if (endOfLine === -1) return `${text}\n${lines.join('\n')}\n`;
  return `${text.slice(0, endOfLine + 1)}${lines.join('\n')}\n${text.slice(endOfLine + 1)}`;
}

/** Whether the edited text means the original plus the one action: nothing else moved or changed. */
function keepsTheRest(before: string, after: string, action: string): boolean {
  try {
    const was = parseDocument(before).toJS() as { actions?: Record<string, unknown> };
    const now = parseDocument(after, { uniqueKeys: true });
    if (now.errors.length > 0) return false;
    const is = now.toJS() as { actions?: Record<string, unknown> };
    if (!is.actions || !(action in is.actions)) return false;
    const { [action]: _added, ...rest } = is.actions;
    return JSON.stringify({ ...is, actions: rest }) === JSON.stringify(was);
  } catch {
    return false;
  }
}

/** Where the text cannot be edited in place: the document rewritten with the action (comments kept, layout may change). */
function rewritten(text: string, action: string, policy: Record<string, unknown>): string {
  const doc = parseDocument(text);
  const actions = doc.get('actions', true);
  if (isMap(actions)) actions.set(action, doc.createNode(policy));
  else doc.set('actions', doc.createNode({ [action]: policy }));
  return doc.toString();
}
