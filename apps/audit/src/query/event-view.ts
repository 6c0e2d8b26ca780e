import { RowStatus, Step, describeRow, statusOf } from './timeline';

/** A row of the record as the reads select it (EVENT_COLUMNS). */
export interface EventRow {
  seq: string;
  event_id: string;
  workspace: string;
  chain_index: string;
  topic: string;
  type: string;
  decision_id: string | null;
  actor_kind: string;
  actor_id: string;
  action: string | null;
  occurred_at: Date;
  occurred_key: string;
  recorded_at: Date;
  manifest_version: string | null;
  event: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  verified: boolean | null;
  signer: string | null;
  refusal: string | null;
}

/** One row of the record as the API gives it: what happened, who did it, when, in words, and the (redacted) event. */
export interface AuditEventView {
  seq: number;
  workspace: string;
  chain_index: number;
  event_id: string;
  type: string;
  step: Step;
  summary: string;
  /** refused: its signature did not verify; kept as evidence, it never counts as a decision, a resolution or a label. */
  status: RowStatus;
  /** Whether its signature verified; null when it is not a signed event (dead letter, retention record) or was recorded before signatures were checked. */
  verified: boolean | null;
  /** Who signed it, when it verified: `service:router`, `agent:<id>`, `labeler:<id>`. */
  signer: string | null;
  /** Why it was refused (`unsigned: ...`, `signature_invalid: ...`). */
  refusal: string | null;
  decision_id: string | null;
  actor: { kind: string; id: string };
  action: string | null;
  time: string;
  recorded_at: string;
  manifest_version: string | null;
  topic: string;
  prev_hash: string;
  hash: string;
  event: Record<string, unknown>;
}

export function viewOf(row: EventRow): AuditEventView {
  const { step, summary } = describeRow(row);
  return {
    seq: Number(row.seq),
    workspace: row.workspace,
    chain_index: Number(row.chain_index),
    event_id: row.event_id,
    type: row.type,
    step,
    summary,
    status: statusOf(row.verified),
    verified: row.verified,
    signer: row.signer,
    refusal: row.refusal,
    decision_id: row.decision_id,
    actor: { kind: row.actor_kind, id: row.actor_id },
    action: row.action,
    time: row.occurred_at.toISOString(),
    recorded_at: row.recorded_at.toISOString(),
    manifest_version: row.manifest_version,
    topic: row.topic,
    prev_hash: row.prev_hash,
    hash: row.hash,
    event: row.event,
  };
}
