import { AuditRecord, CanonicalRow, ChainHead, linkCanonical } from '@hitl/audit-trail';
import { serviceTable } from '@hitl/service-kit';
import { ClientBase } from 'pg';
import { EntityManager } from 'typeorm';
import { RecordStream } from '../stream/audit-stream';
import { copyLine, copyRows, linePrefix } from './copy-rows';

/**
 * Appends records to their workspaces' chains: per workspace, one lock (so concurrent
 * batches chain one after the other), the ids already recorded left out (as trusted or as
 * refused, see copyKey), and one COPY.
 * Each row's line but its chain columns is written before any lock is taken. Every row
 * chained goes to `stream` (audit.recorded) in the same transaction, all in one write.
 * Returns how many rows were written.
 */
export async function appendRecords(manager: EntityManager, records: AuditRecord[], stream: RecordStream): Promise<number> {
  const byWorkspace = new Map<string, AuditRecord[]>();
  const prefixes = new Map<AuditRecord, string>();
  for (const r of records) {
    prefixes.set(r, linePrefix(r));
    const batch = byWorkspace.get(r.workspace);
    if (batch) batch.push(r);
    else byWorkspace.set(r.workspace, [r]);
  }
  const appended: CanonicalRow[] = [];
  // The transaction's clock: each row's recorded_at (its column's default), told on the stream.
  let recordedAt: Date | null = null;
  // Always in the same order, so two batches never wait on each other's locks crosswise.
  for (const [workspace, batch] of [...byWorkspace].sort(([a], [b]) => a.localeCompare(b))) {
    const [{ now }] = await manager.query('SELECT now() AS now FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS locked', [`hitl.audit.chain.${workspace}`]);
    recordedAt = now as Date;
    const recorded: { event_id: string; trusted: boolean }[] = await manager.query(
      `SELECT event_id, verified IS NOT FALSE AS trusted FROM ${serviceTable(manager, 'events')} WHERE event_id = ANY($1::text[])`,
      [batch.map((r) => r.event_id)],
    );
    const known = new Set(recorded.map((r) => copyKey(r.event_id, r.trusted)));
    // Left out: ids already recorded as trusted or as refused as this one is, and a second copy
    // within the batch. A refused copy never takes a trusted event's place, nor the reverse.
    const fresh = batch.filter((r) => {
      const key = copyKey(r.event_id, r.verified !== false);
      return !known.has(key) && (known.add(key), true);
    });
    if (fresh.length === 0) continue;
    // Each record canonicalized once: for its hash, and as the stream publishes it.
    const chained = linkCanonical(await headOf(manager, workspace), fresh);
    await insert(
      manager,
      chained.map(({ row }, i) => copyLine(row, prefixes.get(fresh[i]))),
    );
    appended.push(...chained);
  }
  if (recordedAt) await stream.publish(manager, appended, recordedAt);
  return appended.length;
}

/** One trusted record (verified, or not checked) and one refused record per event id. */
function copyKey(eventId: string, trusted: boolean): string {
  return `${trusted ? 'trusted' : 'refused'}\u0000${eventId}`;
}

async function headOf(manager: EntityManager, workspace: string): Promise<ChainHead | null> {
  const [last] = await manager.query(
    `SELECT chain_index::int AS chain_index, hash FROM ${serviceTable(manager, 'events')} WHERE workspace = $1 ORDER BY chain_index DESC LIMIT 1`,
    [workspace],
  );
  if (last) return last;
  const [checkpoint] = await manager.query(
    `SELECT chain_index::int AS chain_index, hash FROM ${serviceTable(manager, 'chain_checkpoints')} WHERE workspace = $1`,
    [workspace],
  );
  return checkpoint ?? null;
}

/**
 * The rows in one COPY on the transaction's own connection (the queryRunner's pg client):
 * no statement to parse and no parameter arrays to build, the rows go as they are.
 */
async function insert(manager: EntityManager, lines: string[]): Promise<void> {
  const runner = manager.queryRunner;
  if (!runner) throw new Error('appendRecords needs the transaction of a query runner (the transport gives each chunk one)');
  const client = (await runner.connect()) as ClientBase;
  const copied = await copyRows(client, serviceTable(manager, 'events'), lines);
  if (copied !== lines.length) throw new Error(`COPY wrote ${copied} rows of ${lines.length}`);
}

/**
 * The agent that proposed each of `decisionIds` in `workspace`, from the verified rows
 * already on the record: a decision.proposed (its agent) or the router's approval.requested
 * (the proposal it carries). Refused rows name no one.
 */
export async function recordedProposers(manager: EntityManager, workspace: string, decisionIds: string[]): Promise<Map<string, string>> {
  if (decisionIds.length === 0) return new Map();
  const rows: { decision_id: string; agent: string }[] = await manager.query(
    `SELECT DISTINCT ON (decision_id) decision_id, COALESCE(event #>> '{data,agent,id}', event #>> '{data,decision,agent,id}') AS agent
       FROM ${serviceTable(manager, 'events')}
      WHERE workspace = $1 AND decision_id = ANY($2::uuid[]) AND verified
        AND type IN ('hitl.decision.proposed.v1', 'hitl.approval.requested.v1')
      ORDER BY decision_id, type, seq`,
    [workspace, decisionIds],
  );
  return new Map(rows.filter((r) => r.agent !== null).map((r) => [r.decision_id, r.agent]));
}
