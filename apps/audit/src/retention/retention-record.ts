import { AuditRecord, ChainHead, NOT_CHECKED } from '@hitl/audit-trail';
import { RETENTION_EVENT_TYPE } from '../query/record-types';

export const RETENTION_ACTOR = 'hitl/audit-retention';

/** What one retention run removed from one workspace's chain. */
export interface Removal {
  workspace: string;
  /** The last row removed: its index and hash are the chain's new checkpoint. */
  through: ChainHead;
  count: number;
  /** Rows recorded before this instant were due. */
  olderThan: Date;
  /** The period in force, as written in AUDIT_RETENTION. */
  period: string;
}

/** The next link of the chain after a removal: the record says what it no longer holds. */
export function retentionRecord(removal: Removal, now: Date): AuditRecord {
  return {
    event_id: `audit-retention/${removal.workspace}/${removal.through.chain_index}`,
    workspace: removal.workspace,
    topic: 'audit.retention',
    type: RETENTION_EVENT_TYPE,
    decision_id: null,
    actor_kind: 'system',
    actor_id: RETENTION_ACTOR,
    action: null,
    occurred_at: now.toISOString(),
    manifest_version: null,
    event: {
      removed_through_chain_index: removal.through.chain_index,
      removed_through_hash: removal.through.hash,
      removed_count: removal.count,
      older_than: removal.olderThan.toISOString(),
      retention: removal.period,
    },
    // The audit's own record, not a signed event: nothing to verify.
    ...NOT_CHECKED,
  };
}
