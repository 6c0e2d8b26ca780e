import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { z } from 'zod';
import { NonEmpty, Timestamp, Uuid } from '../primitives';

// The audit's stream for analysts: every record the audit chains, as it chained it (already
// redacted), with its place in its workspace's chain, so a consumer can verify the chain
// without the database. Published by the audit service only, once per record, in chain
// order per workspace (the Kafka key is the workspace).

export const AUDIT_RECORDED = 'hitl.audit.recorded.v1';

/** The UUID namespace of record ids (UUIDv5, RFC 9562): `auditRecordId`. */
export const AUDIT_RECORD_NAMESPACE = '78938306-bba7-4796-a505-90e189eb034c';

/** `sha256:` and 64 lowercase hex digits: a link of a workspace's chain. */
export const ChainHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" followed by 64 lowercase hex digits');

/**
 * The first `prev_hash` of every chain: `sha256:` and 64 zeros. A chain retention trimmed
 * starts after its checkpoint instead (the first record left says what was removed).
 */
export const CHAIN_GENESIS = `sha256:${'0'.repeat(64)}`;

/**
 * One record as the audit hashed it. Redacted as the audit keeps it: a field the manifest
 * redacts, or whose name looks like a secret, is `[REDACTED]` here too. `verified`, `signer`
 * and `refusal` are present when the audit checked the event's signature (absent on a dead
 * letter or the audit's own retention record); the hash covers exactly the fields present.
 */
export const AuditedRecord = z.looseObject({
  /** The recorded event's CloudEvents id; a dead letter: `<topic>/<partition>/<offset>`. */
  event_id: NonEmpty,
  workspace: NonEmpty,
  topic: NonEmpty,
  /** The recorded event's type; `hitl.dead_letter`, `hitl.audit.retention` for the audit's own records. */
  type: NonEmpty,
  decision_id: z.string().nullable(),
  actor_kind: NonEmpty,
  actor_id: z.string(),
  action: z.string().nullable(),
  occurred_at: Timestamp,
  manifest_version: z.string().nullable(),
  /** The event itself, redacted (a dead letter: what is known of the refused bytes). */
  event: z.record(z.string(), z.unknown()),
  verified: z.boolean().nullable().optional(),
  signer: z.string().nullable().optional(),
  refusal: z.string().nullable().optional(),
});
export type AuditedRecord = z.infer<typeof AuditedRecord>;

export const AuditRecordedData = z
  .looseObject({
    /** `auditRecordId(workspace, position)`: the subject, and the CloudEvents id (a re-publish has the same). */
    record_id: Uuid,
    workspace: NonEmpty,
    /** The record's index in its workspace's chain: 1, 2, 3, ... with no gap. */
    position: z.number().int().min(1),
    /** The hash of the record before it (CHAIN_GENESIS before the first). */
    prev_hash: ChainHash,
    /** `sha256:` + hex SHA-256 of the RFC 8785 canonical JSON of `{ ...record, chain_index: position, prev_hash }`. */
    hash: ChainHash,
    /** Exactly what was hashed, redacted. */
    record: AuditedRecord,
    // For analysts, from the record: what was recorded, about what, when, and what its signature showed.
    event_id: NonEmpty,
    event_type: NonEmpty,
    decision_id: z.string().nullable(),
    occurred_at: Timestamp,
    /** When the audit chained it (the database's clock: the row's recorded_at). */
    recorded_at: Timestamp,
    /** true: verified; false: refused (see refusal); null: not a signed event (a dead letter, a retention record). */
    verified: z.boolean().nullable(),
    signer: z.string().nullable(),
    refusal: z.string().nullable(),
  })
  .refine((d) => d.record.workspace === d.workspace, { message: 'must equal data.workspace', path: ['record', 'workspace'] })
  .refine((d) => d.record_id === auditRecordId(d.workspace, d.position), {
    message: 'must be auditRecordId(workspace, position)',
    path: ['record_id'],
  });
export type AuditRecordedData = z.infer<typeof AuditRecordedData>;

/**
 * The id of the record at `position` of `workspace`'s chain: the UUIDv5 (RFC 9562, SHA-1)
 * in AUDIT_RECORD_NAMESPACE of the UTF-8 name `<workspace>:<position>`. The same record
 * always has the same id, so consumers de-duplicate a re-publish by it.
 */
export function auditRecordId(workspace: string, position: number): string {
  const namespace = Buffer.from(AUDIT_RECORD_NAMESPACE.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(namespace).update(`${workspace}:${position}`, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The chain's formula: `sha256:` + the hex SHA-256 of the RFC 8785 (JCS) canonical JSON of
 * the record with two more fields, `chain_index` (its position) and `prev_hash`. A consumer
 * recomputes every `hash` of a workspace's stream with it, and checks each `prev_hash` is
 * the `hash` of the record before.
 */
export function auditRecordHash(prevHash: string, position: number, record: Record<string, unknown>): string {
  const canonical = canonicalJson({ ...record, chain_index: position, prev_hash: prevHash });
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
