import { createHash } from 'node:crypto';
import { AnyEvent, REVIEWERS_FILE_ACTOR, storableJson, storableText, topicOf } from '@hitl/contracts';
import { redact } from './redact';
import { NOT_CHECKED, SignatureRecord } from './signature';

/** Who did it. `unverified`: an event whose signature was refused, so the actor (actor_id) is only what it claims. */
export type ActorKind = 'agent' | 'reviewer' | 'policy' | 'timeout' | 'system' | 'unverified';

/** One row of the record, before it is chained. */
export interface AuditRecord extends SignatureRecord {
  event_id: string;
  workspace: string;
  topic: string;
  type: string;
  decision_id: string | null;
  actor_kind: ActorKind;
  actor_id: string;
  action: string | null;
  occurred_at: string;
  manifest_version: string | null;
  /** The event with redacted fields replaced. */
  event: Record<string, unknown>;
}

/** Where a decision's fields (parameters, context) sit in each event's data. */
const DECISION_ROOTS = [['data'], ['data', 'decision']];

type Data = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Who did it, as the event itself says. */
export function actorOf(event: AnyEvent): { actor_kind: Exclude<ActorKind, 'unverified'>; actor_id: string } {
  switch (event.type) {
    case 'hitl.decision.proposed.v1':
      return { actor_kind: 'agent', actor_id: event.data.agent.id };
    case 'hitl.approval.requested.v1':
      return { actor_kind: 'policy', actor_id: event.data.manifest_version };
    case 'hitl.approval.assigned.v1':
    case 'hitl.approval.reassigned.v1':
    case 'hitl.approval.escalated.v1':
      return { actor_kind: 'policy', actor_id: event.source };
    case 'hitl.approval.clarification_requested.v1':
      return { actor_kind: 'reviewer', actor_id: event.data.requested_by };
    case 'hitl.approval.clarification_provided.v1':
      return { actor_kind: 'agent', actor_id: event.data.provided_by };
    case 'hitl.approval.rolled_back.v1':
      return { actor_kind: 'reviewer', actor_id: event.data.rolled_back_by };
    case 'hitl.approval.reviewed.v1':
      return { actor_kind: 'reviewer', actor_id: event.data.reviewed_by };
    case 'hitl.approval.opened.v1':
      return { actor_kind: 'reviewer', actor_id: event.data.opened_by };
    case 'hitl.approval.canary_scored.v1':
      // Answered: the reviewer's act; missed: its deadline passed.
      return event.data.answered === null
        ? { actor_kind: 'timeout', actor_id: 'canary' }
        : { actor_kind: 'reviewer', actor_id: event.data.reviewer_id ?? event.source };
    case 'hitl.approval.unreviewed.v1':
      // Nobody looked: never a reviewer. A review window ran out (a timer), or the escalation
      // service itself left it unqueued because reviewers had no capacity (sampling backed off).
      return event.data.reason === 'review_window_closed'
        ? { actor_kind: 'timeout', actor_id: 'review_window' }
        : { actor_kind: 'system', actor_id: event.source };
    case 'hitl.approval.resolved.v1':
      return { actor_kind: event.data.resolved_by.kind, actor_id: event.data.resolved_by.id };
    case 'hitl.action.executed.v1':
      return { actor_kind: 'agent', actor_id: event.source };
    case 'hitl.outcome.labeled.v1':
      return { actor_kind: event.data.labeled_by ? 'reviewer' : 'system', actor_id: event.data.labeled_by ?? event.source };
    case 'hitl.directory.reviewer_changed.v1':
      // An admin, or the reviewers file applied at start (REVIEWERS_FILE_ACTOR).
      return { actor_kind: event.data.changed_by === REVIEWERS_FILE_ACTOR ? 'system' : 'reviewer', actor_id: event.data.changed_by };
    case 'hitl.control.paused.v1':
      return { actor_kind: 'reviewer', actor_id: event.data.paused_by };
    case 'hitl.control.resumed.v1':
      return { actor_kind: 'reviewer', actor_id: event.data.resumed_by };
    case 'hitl.control.probation_started.v1':
    case 'hitl.control.probation_graduated.v1':
      // The router, by the manifest and the reviews it counted.
      return { actor_kind: 'policy', actor_id: event.source };
    case 'hitl.control.probation_ended.v1':
      return { actor_kind: 'reviewer', actor_id: event.data.ended_by };
    case 'hitl.handoff.requested.v1':
      return { actor_kind: 'agent', actor_id: event.data.agent_id };
    case 'hitl.handoff.opened.v1':
    case 'hitl.handoff.escalated.v1':
      return { actor_kind: 'policy', actor_id: event.source };
    case 'hitl.handoff.taken.v1':
      return { actor_kind: 'reviewer', actor_id: event.data.taken_by };
    case 'hitl.handoff.returned.v1':
      return { actor_kind: 'reviewer', actor_id: event.data.returned_by };
    case 'hitl.audit.recorded.v1':
      // The audit's own stream (it never records it).
      return { actor_kind: 'system', actor_id: event.source };
  }
}

function actionOf(event: AnyEvent): string | null {
  const data = event.data as Data;
  return text(data.action) ?? text((data.decision as Data | undefined)?.action) ?? null;
}

/**
 * An event of the contract as a record; `redactPaths(action)` gives the manifest's `redact`
 * list; `signature` what verifying it found (signatureRecord). A refused event keeps what it
 * claims, but its actor is only a claim (kind `unverified`): nothing derived from the record
 * may take it for the reviewer, agent or policy it names.
 */
export function recordOf(event: AnyEvent, redactPaths: (action: string) => readonly string[], signature: SignatureRecord = NOT_CHECKED): AuditRecord {
  const action = actionOf(event);
  const data = event.data as Data;
  const actor = actorOf(event);
  return {
    event_id: event.id,
    workspace: event.workspaceid,
    topic: topicOf(event.type),
    type: event.type,
    decision_id: event.subject.toLowerCase(),
    actor_kind: signature.verified === false ? 'unverified' : actor.actor_kind,
    actor_id: actor.actor_id,
    action,
    occurred_at: new Date(event.time).toISOString(),
    manifest_version: text(data.manifest_version),
    event: redact(event as unknown as Record<string, unknown>, action ? redactPaths(action) : [], DECISION_ROOTS),
    verified: signature.verified,
    signer: signature.signer,
    refusal: signature.refusal,
  };
}

/** What a DLQ holds: the original bytes, unreadable as an event; kept redacted, or only described when not JSON. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

function validTime(value: string | number | undefined): Date | null {
  if (value === undefined || value === '') return null;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? null : time;
}

/**
 * A field of bytes someone refused, as the record can keep it: unstorable characters
 * replaced, and cut at `max` characters (an indexed column takes no megabyte).
 */
function keepable(value: string | null | undefined, max = 512): string | null {
  if (value === null || value === undefined) return null;
  const clean = storableText(value);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** The letter's JSON, redacted and storable; null when it cannot be kept (nested deeper than can be walked). */
function keepableMessage(json: Data, paths: readonly string[]): Data | null {
  try {
    return storableJson(redact(json, paths, DECISION_ROOTS)) as Data;
  } catch {
    return null;
  }
}

export function deadLetterRecord(letter: DeadLetter, redactPaths: (action: string) => readonly string[]): AuditRecord {
  const bytes = letter.value ?? Buffer.alloc(0);
  let json: Data | null = null;
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Data;
  } catch {
    json = null;
  }
  const inner = (json?.data && typeof json.data === 'object' ? json.data : {}) as Data;
  // Anything can sit in a refused message or a letter's headers: every text is made keepable,
  // so the record of a refusal can never be refused itself.
  const action = keepable(text(inner.action));
  const rawDecision = text(inner.decision_id);
  const decisionId = rawDecision && /^[0-9a-f-]{36}$/i.test(rawDecision) ? rawDecision.toLowerCase() : null;
  const workspace = keepable(text(json?.workspaceid)) || 'unknown';
  // Anyone can write onto a DLQ: a header that is not a time must not stop the record,
  // so it falls back to the broker's timestamp of the letter.
  const time = validTime(letter.headers['hitl-dlq-time']) ?? validTime(Number(letter.timestamp)) ?? new Date(0);
  return {
    event_id: `${letter.topic}/${letter.partition}/${letter.offset}`,
    workspace,
    topic: letter.topic,
    type: 'hitl.dead_letter',
    decision_id: decisionId,
    actor_kind: 'system',
    actor_id: keepable(letter.headers['hitl-dlq-consumer']) ?? 'unknown',
    action,
    occurred_at: time.toISOString(),
    manifest_version: null,
    event: {
      error_code: keepable(letter.headers['hitl-dlq-error-code']),
      error: keepable(letter.headers['hitl-dlq-error'], 4096),
      from_topic: keepable(letter.headers['hitl-dlq-topic']),
      size_bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      // Bytes that are not JSON cannot be redacted, so they are not kept.
      message: json ? keepableMessage(json, action ? redactPaths(action) : []) : null,
    },
    // Not an event: the bytes some consumer refused. Never counts as anything; its signature is not checked here.
    ...NOT_CHECKED,
  };
}
