// The audit's stream for analysts (audit.recorded), pure: a chained row in, the event and
// the outbox message out. What is published is the record exactly as it was hashed
// (hashedContent: redacted as the audit keeps it), so a consumer recomputes every hash.
import { randomUUID } from 'node:crypto';
import { CanonicalRow, ChainedRecord, hashedContent } from '@hitl/audit-trail';
import {
  AUDIT_RECORDED,
  CLOUDEVENTS_CONTENT_TYPE,
  CONTENT_TYPE_HEADER,
  CloudEvent,
  SigningKey,
  Topics,
  auditRecordId,
  canonicalJson,
  signatureOver,
} from '@hitl/contracts';
import { RawOutboxMessage } from '@hitl/messaging';

/** The `source` of every event the audit publishes. */
export const AUDIT_SOURCE = 'hitl/audit';

export type AuditRecordedEvent = CloudEvent<typeof AUDIT_RECORDED>;

/** The event of one chained row, `record` in its place; `recordedAt`: when it was chained (the row's recorded_at). */
function eventOf<R>(row: ChainedRecord, recordedAt: Date, record: R) {
  const recordId = auditRecordId(row.workspace, row.chain_index);
  const time = recordedAt.toISOString();
  return {
    specversion: '1.0' as const,
    id: recordId,
    source: AUDIT_SOURCE,
    type: AUDIT_RECORDED as typeof AUDIT_RECORDED,
    time,
    subject: recordId,
    datacontenttype: 'application/json' as const,
    workspaceid: row.workspace,
    data: {
      record_id: recordId,
      workspace: row.workspace,
      position: row.chain_index,
      prev_hash: row.prev_hash,
      hash: row.hash,
      record,
      event_id: row.event_id,
      event_type: row.type,
      decision_id: row.decision_id,
      occurred_at: row.occurred_at,
      recorded_at: time,
      verified: row.verified ?? null,
      signer: row.signer ?? null,
      refusal: row.refusal ?? null,
    },
  };
}

/** The event of one chained row, as an object. */
export function recordedEvent(row: ChainedRecord, recordedAt: Date): AuditRecordedEvent {
  const { chain_index: _i, prev_hash: _p, hash: _h, ...unchained } = row;
  return eventOf(row, recordedAt, hashedContent(unchained) as AuditRecordedEvent['data']['record']);
}

/** Stands for the record while the rest of the event is canonicalized: a string nothing else in it can hold. */
const PLACEHOLDER = JSON.stringify(`hitl-record-${randomUUID()}`);

/**
 * The outbox messages of chained rows, in their order: each event signed with the audit's key
 * (the signature over its RFC 8785 canonical JSON, the record's canonical JSON taken from the
 * chaining rather than computed again), keyed by workspace (one chain, one partition, in order).
 * The value is that canonical JSON with `sig` added.
 */
export function recordedMessages(rows: readonly CanonicalRow[], recordedAt: Date, key: SigningKey): RawOutboxMessage[] {
  return rows.map(({ row, record }) => {
    const event = { ...eventOf(row, recordedAt, JSON.parse(PLACEHOLDER) as string), sigkid: key.kid };
    const canonical = canonicalJson(event).replace(PLACEHOLDER, () => record);
    const input = Buffer.from(canonical, 'utf8');
    const sig = signatureOver(input, key);
    return {
      topic: Topics.AuditRecorded,
      key: row.workspace,
      value: Buffer.concat([input.subarray(0, input.length - 1), Buffer.from(`,"sig":"${sig}"}`, 'utf8')]),
      headers: [[CONTENT_TYPE_HEADER, CLOUDEVENTS_CONTENT_TYPE]],
      messageId: event.id,
    };
  });
}
