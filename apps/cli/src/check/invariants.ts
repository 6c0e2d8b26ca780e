// The invariants of a run, as data in and violations out. Pure: the command (and the
// fault harness) read the topics, the audit record and the calibrator's tables, then ask.
import { Keyring, Topics, decodeEvent, isTopic } from '@hitl/contracts';
import { Manifest } from '@hitl/policy';

/** One message as read from a topic of the run; `topic` without the run's prefix (e.g. `decision.proposed.dlq`). */
export interface TopicMessage {
  topic: string;
  partition: number;
  offset: string;
  value: string | null;
}

/** What the audit service answered: the ids of its rows (one entry per row) and its chain verification. */
export interface AuditFacts {
  eventIds: readonly string[];
  verify: { ok: boolean; breaks: readonly string[] };
}

/** What the calibrator keeps: one row per resolution (decision, approval or `policy`) and per label. */
export interface CalibratorFacts {
  resolutions: readonly { decision_id: string; approval_key: string; status: string }[];
  labels: readonly { event_id: string; decision_id: string }[];
}

export interface RunFacts {
  messages: readonly TopicMessage[];
  /** The manifest the run was routed with: which actions may be approved by a timeout. */
  manifest: Pick<Manifest, 'actions'>;
  audit: AuditFacts | null;
  calibrator: CalibratorFacts | null;
  /** When the run is judged: a decision waiting for a person before its `expires_at` is not yet due. */
  now: Date;
  /**
   * The run's trusted keys. Given, an event whose signature does not verify counts for
   * nothing (a forged resolution is no resolution, a forged label no label), as the
   * services treat it; it is still expected in the audit record, marked refused.
   */
  keyring?: Keyring;
}

export const VIOLATION_KINDS = [
  'unresolved',
  'resolved_twice',
  'resolved_unproposed',
  'approved_by_timeout',
  'approved_by_requester',
  'audit_missing',
  'audit_duplicated',
  'audit_chain_broken',
  'calibrator_resolution_missing',
  'calibrator_resolution_differs',
  'calibrator_resolution_unknown',
  'calibrator_label_missing',
  'calibrator_label_unknown',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

export interface Violation {
  kind: ViolationKind;
  /** The decision, or the event id, it is about. */
  subject: string;
  detail: string;
}

export interface RunCounts {
  messages: number;
  /** Copies of an event already seen on the same topic (at-least-once delivery: allowed, never a second effect). */
  redelivered: number;
  decisions: number;
  /** Decisions a person may still decide: requested for review, unresolved, not yet expired. */
  awaitingReview: number;
  resolutions: Record<string, number>;
  labels: number;
  auditRows: number | null;
  /** Events whose signature did not verify (null: signatures not checked). */
  refused: number | null;
}

export interface CheckReport {
  ok: boolean;
  counts: RunCounts;
  violations: Violation[];
}

interface Envelope {
  id?: unknown;
  workspaceid?: unknown;
  subject?: unknown;
  data?: Record<string, unknown>;
}

interface Resolution {
  eventId: string;
  decisionId: string;
  approvalKey: string;
  status: string;
  action: string;
  resolvedBy: { kind: string; id: string };
  approvers: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function parse(value: string | null): Envelope | null {
  if (value === null) return null;
  try {
    const json: unknown = JSON.parse(value);
    return json && typeof json === 'object' && !Array.isArray(json) ? (json as Envelope) : null;
  } catch {
    return null;
  }
}

/**
 * The id the audit records a message under: a dead letter (not an event) by its place in
 * the DLQ, an event by its CloudEvents id. A message on a topic that is no event of the
 * contract has none: the audit records it as the dead letter its consumers publish.
 */
export function auditIdOf(message: TopicMessage): string | null {
  if (message.topic.endsWith('.dlq')) return `${message.topic}/${message.partition}/${message.offset}`;
  if (!isTopic(message.topic)) return null;
  const decoded = decodeEvent(message.topic, message.value);
  return decoded.ok ? decoded.event.id : null;
}

/** Whether an event of the contract verifies with the keyring; true when there is none to ask, or it is no event. */
function verifies(message: TopicMessage, keyring: Keyring | undefined): boolean {
  if (!keyring || !isTopic(message.topic)) return true;
  const decoded = decodeEvent(message.topic, message.value);
  return !decoded.ok || keyring.verify(decoded.raw, decoded.event).ok;
}

/** The decision a proposal names, even a malformed one (the router answers those that name one with `blocked`). */
function proposedDecision(envelope: Envelope): string | null {
  const id = [envelope.data?.decision_id, envelope.subject].find((c): c is string => typeof c === 'string' && UUID.test(c));
  return id?.toLowerCase() ?? null;
}

function resolutionOf(eventId: string, data: Record<string, unknown>): Resolution | null {
  const decisionId = str(data.decision_id);
  const status = str(data.status);
  const by = data.resolved_by as { kind?: unknown; id?: unknown } | undefined;
  if (!decisionId || !status || !by) return null;
  // Two-person approvals name every approver in the reasons (`reviewer_approved`: "approved by <id>").
  const reasons = Array.isArray(data.reasons) ? (data.reasons as { rule?: unknown; detail?: unknown }[]) : [];
  const approvers = reasons
    .filter((r) => r.rule === 'reviewer_approved' && typeof r.detail === 'string')
    .map((r) => /^approved by (.+)$/.exec(r.detail as string)?.[1])
    .filter((id): id is string => id !== undefined);
  return {
    eventId,
    decisionId: decisionId.toLowerCase(),
    approvalKey: str(data.approval_id) ?? 'policy',
    status,
    action: str(data.action) ?? '',
    resolvedBy: { kind: str(by.kind) ?? '', id: str(by.id) ?? '' },
    approvers,
  };
}

/** The workspaces whose audit records hold the run: those its messages name, and `unknown` for dead letters that name none. */
export function workspacesOf(messages: readonly TopicMessage[]): string[] {
  const found = new Set<string>();
  for (const m of messages) {
    const workspace = str(parse(m.value)?.workspaceid);
    if (workspace) found.add(workspace);
    else if (m.topic.endsWith('.dlq')) found.add('unknown');
  }
  return [...found].sort();
}

/** Checks every invariant of the run and counts what it saw. */
export function checkRun(facts: RunFacts): CheckReport {
  const violations: Violation[] = [];
  const seen = new Map<string, Set<string>>(); // topic -> audit ids
  const onBehalfOf = new Map<string, string | null>();
  const resolutions = new Map<string, Resolution>(); // event id -> resolution (copies count once)
  const labels = new Set<string>();
  const expiresAt = new Map<string, number>(); // decision -> latest expiry of its review requests
  let redelivered = 0;
  let refused = 0;

  for (const message of facts.messages) {
    const id = auditIdOf(message);
    if (id !== null) {
      const ids = seen.get(message.topic) ?? new Set<string>();
      if (ids.has(id)) redelivered += 1;
      ids.add(id);
      seen.set(message.topic, ids);
    }
    const envelope = parse(message.value);
    if (!envelope) continue;
    const verified = verifies(message, facts.keyring);
    if (!verified) refused += 1;
    if (message.topic === Topics.DecisionProposed) {
      // A refused proposal is still a decision (the router answers it blocked), but names nobody's behalf.
      const decision = proposedDecision(envelope);
      if (decision && (!onBehalfOf.has(decision) || (verified && onBehalfOf.get(decision) === null)))
        onBehalfOf.set(decision, verified ? str(envelope.data?.on_behalf_of) : null);
    } else if (id === null || !verified) {
      continue;
    } else if (message.topic === Topics.ApprovalResolved && envelope.data) {
      const resolution = resolutionOf(id, envelope.data);
      if (resolution && !resolutions.has(id)) resolutions.set(id, resolution);
    } else if (message.topic === Topics.OutcomeLabeled) {
      labels.add(id);
    } else if (message.topic === Topics.ApprovalRequested && envelope.data) {
      const decision = str(envelope.data.decision_id)?.toLowerCase();
      const expires = Date.parse(str(envelope.data.expires_at) ?? '');
      if (decision && envelope.data.route !== 'post_review' && !Number.isNaN(expires)) expiresAt.set(decision, Math.max(expires, expiresAt.get(decision) ?? 0));
    }
  }

  // Resolutions: exactly one per proposed decision, by the rules.
  const byDecision = new Map<string, Resolution[]>();
  for (const r of resolutions.values()) byDecision.set(r.decisionId, [...(byDecision.get(r.decisionId) ?? []), r]);
  let awaitingReview = 0;
  for (const decision of onBehalfOf.keys()) {
    if (byDecision.has(decision)) continue;
    // Its timeout resolves it at the latest: until then, a person may still decide.
    const expires = expiresAt.get(decision);
    if (expires !== undefined && expires > facts.now.getTime()) awaitingReview += 1;
    else {
      const why =
        expires === undefined
          ? 'no approval.resolved was published'
          : `its review expired at ${new Date(expires).toISOString()} and no approval.resolved was published`;
      violations.push({ kind: 'unresolved', subject: decision, detail: `proposed, but ${why}` });
    }
  }
  for (const [decision, list] of byDecision) {
    if (list.length > 1) {
      violations.push({
        kind: 'resolved_twice',
        subject: decision,
        detail: `${list.length} different approval.resolved events: ${list.map((r) => `${r.status} by ${r.resolvedBy.kind} ${r.resolvedBy.id} (${r.eventId})`).join(', ')}`,
      });
    }
    if (!onBehalfOf.has(decision))
      violations.push({ kind: 'resolved_unproposed', subject: decision, detail: 'resolved, but never proposed on decision.proposed' });
    for (const r of list) {
      if (r.status !== 'approved') continue;
      if (r.resolvedBy.kind === 'timeout' && facts.manifest.actions.get(r.action)?.onTimeout !== 'approve') {
        violations.push({
          kind: 'approved_by_timeout',
          subject: decision,
          detail: `${r.action} was approved by a timeout, which the manifest does not allow for it`,
        });
      }
      const requester = onBehalfOf.get(decision);
      if (requester && r.resolvedBy.kind === 'reviewer' && (r.resolvedBy.id === requester || r.approvers.includes(requester))) {
        violations.push({ kind: 'approved_by_requester', subject: decision, detail: `approved by ${requester}, the person the action is on behalf of` });
      }
    }
  }

  let auditRows: number | null = null;
  if (facts.audit) {
    auditRows = facts.audit.eventIds.length;
    violations.push(...auditViolations(seen, facts.audit));
  }
  if (facts.calibrator) violations.push(...calibratorViolations([...resolutions.values()], labels, new Set(onBehalfOf.keys()), facts.calibrator));

  const statuses: Record<string, number> = {};
  for (const [, list] of byDecision) statuses[list[0].status] = (statuses[list[0].status] ?? 0) + 1;
  return {
    ok: violations.length === 0,
    counts: {
      messages: facts.messages.length,
      redelivered,
      decisions: onBehalfOf.size,
      awaitingReview,
      resolutions: statuses,
      labels: labels.size,
      auditRows,
      refused: facts.keyring ? refused : null,
    },
    violations,
  };
}

function auditViolations(seen: ReadonlyMap<string, ReadonlySet<string>>, audit: AuditFacts): Violation[] {
  const violations: Violation[] = [];
  const rows = new Map<string, number>();
  for (const id of audit.eventIds) rows.set(id, (rows.get(id) ?? 0) + 1);
  for (const [topic, ids] of seen) {
    for (const id of ids) {
      const n = rows.get(id) ?? 0;
      if (n === 0) violations.push({ kind: 'audit_missing', subject: id, detail: `on ${topic}, but not in the audit record` });
      if (n > 1) violations.push({ kind: 'audit_duplicated', subject: id, detail: `on ${topic}, and ${n} times in the audit record` });
    }
  }
  if (!audit.verify.ok) {
    const breaks = audit.verify.breaks.length > 0 ? audit.verify.breaks : ['(the service named no break)'];
    for (const detail of breaks) violations.push({ kind: 'audit_chain_broken', subject: 'audit', detail });
  }
  return violations;
}

function calibratorViolations(
  resolutions: readonly Resolution[],
  labels: ReadonlySet<string>,
  decisions: ReadonlySet<string>,
  calibrator: CalibratorFacts,
): Violation[] {
  const violations: Violation[] = [];
  const kept = new Map(calibrator.resolutions.map((r) => [`${r.decision_id.toLowerCase()}/${r.approval_key}`, r]));
  const published = new Set<string>();
  for (const r of resolutions) {
    const key = `${r.decisionId}/${r.approvalKey}`;
    published.add(key);
    const row = kept.get(key);
    if (!row)
      violations.push({
        kind: 'calibrator_resolution_missing',
        subject: r.decisionId,
        detail: `the calibrator has no row for the ${r.status} resolution ${r.eventId}`,
      });
    else if (row.status !== r.status)
      violations.push({ kind: 'calibrator_resolution_differs', subject: r.decisionId, detail: `published ${r.status}, the calibrator counts ${row.status}` });
  }
  // Only the run's decisions: a calibrator's tables may hold earlier runs.
  for (const [key, row] of kept) {
    if (decisions.has(row.decision_id.toLowerCase()) && !published.has(key)) {
      violations.push({
        kind: 'calibrator_resolution_unknown',
        subject: row.decision_id,
        detail: `the calibrator counts a ${row.status} resolution (${row.approval_key}) that was never published`,
      });
    }
  }
  const keptLabels = new Set(calibrator.labels.map((l) => l.event_id));
  for (const id of labels)
    if (!keptLabels.has(id))
      violations.push({ kind: 'calibrator_label_missing', subject: id, detail: 'on outcome.labeled, but not among the calibrator labels' });
  for (const l of calibrator.labels) {
    if (!labels.has(l.event_id) && decisions.has(l.decision_id.toLowerCase()))
      violations.push({ kind: 'calibrator_label_unknown', subject: l.event_id, detail: `a label of ${l.decision_id} that was never published` });
  }
  return violations;
}

/** The report in words: counts first, then each violation on its own line. */
export function formatReport(report: CheckReport): string[] {
  const c = report.counts;
  const statuses = Object.entries(c.resolutions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const lines = [
    `messages:    ${c.messages} read (${c.redelivered} redelivered copies)`,
    `decisions:   ${c.decisions} proposed; resolved: ${statuses || 'none'}; ${c.awaitingReview} awaiting a reviewer (not expired yet)`,
    `labels:      ${c.labels}`,
    `audit rows:  ${c.auditRows === null ? 'not checked' : c.auditRows}`,
    `signatures:  ${c.refused === null ? 'not checked (no SERVICE_KEYS / AGENTS_PATH)' : `${c.refused} event(s) refused, counted for nothing`}`,
  ];
  if (report.ok) return [...lines, 'ok: every invariant holds'];
  const byKind = new Map<ViolationKind, Violation[]>();
  for (const v of report.violations) byKind.set(v.kind, [...(byKind.get(v.kind) ?? []), v]);
  lines.push(`VIOLATED: ${report.violations.length} violation(s)`);
  for (const kind of VIOLATION_KINDS) {
    const list = byKind.get(kind);
    if (!list) continue;
    lines.push(`  ${kind} (${list.length})`);
    for (const v of list.slice(0, 20)) lines.push(`    ${v.subject}: ${v.detail}`);
    if (list.length > 20) lines.push(`    ... and ${list.length - 20} more`);
  }
  return lines;
}
