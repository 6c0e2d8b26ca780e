import { createHash } from 'node:crypto';
import { canonicalJson } from '@hitl/contracts';
import { AuditRecord } from './record';

export const GENESIS = `sha256:${'0'.repeat(64)}`;

export interface ChainedRecord extends AuditRecord {
  chain_index: number;
  prev_hash: string;
  hash: string;
}

export interface ChainHead {
  chain_index: number;
  hash: string;
}

/**
 * What a record's hash covers: every field, its signature verdict included (the record
 * must say an event was refused, and nobody may change that later). A row with no verdict
 * at all (recorded before the audit checked signatures, a dead letter, a retention record)
 * is hashed without the three fields, as rows were before they existed, so the chains
 * written then still verify; setting any of them on such a row changes its hash.
 */
export function hashedContent(record: AuditRecord): Record<string, unknown> {
  const { verified = null, signer = null, refusal = null, ...rest } = record;
  return verified === null && signer === null && refusal === null ? rest : { ...rest, verified, signer, refusal };
}

/** The hash of one record, linked to the one before it. */
export function hashRecord(prevHash: string, chainIndex: number, record: AuditRecord): string {
  const content = canonicalJson({ ...hashedContent(record), chain_index: chainIndex, prev_hash: prevHash });
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/** UTF-16 code unit order of keys: RFC 8785's, and `Array.prototype.sort`'s (what canonicalJson uses). */
const byKey = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** A chained row and the RFC 8785 canonical JSON of what was hashed (hashedContent): the record as published. */
export interface CanonicalRow {
  row: ChainedRecord;
  record: string;
}

/**
 * `link`, each row with the canonical JSON of its hashed content: the record is canonicalized
 * once, member by member, and both its hash input (those members with `chain_index` and
 * `prev_hash` in their sorted places) and its canonical form are joined from the members.
 * The hashes are hashRecord's, byte for byte.
 */
export function linkCanonical(head: ChainHead | null, records: AuditRecord[]): CanonicalRow[] {
  let index = head ? head.chain_index : 0;
  let prev = head ? head.hash : GENESIS;
  return records.map((record) => {
    index += 1;
    const members: [string, string][] = [];
    for (const [key, value] of Object.entries(hashedContent(record))) {
      if (value === undefined || key === 'chain_index' || key === 'prev_hash') continue;
      members.push([key, `${JSON.stringify(key)}:${canonicalJson(value)}`]);
    }
    members.sort(byKey);
    const linked = [
      ...members,
      ['chain_index', `"chain_index":${index}`] as [string, string],
      ['prev_hash', `"prev_hash":${JSON.stringify(prev)}`] as [string, string],
    ];
    linked.sort(byKey);
    const hash = `sha256:${createHash('sha256')
      .update(`{${linked.map((m) => m[1]).join(',')}}`)
      .digest('hex')}`;
    const row = { ...record, chain_index: index, prev_hash: prev, hash };
    prev = hash;
    return { row, record: `{${members.map((m) => m[1]).join(',')}}` };
  });
}

/** Appends records to a workspace's chain after `head` (null: a new chain). */
export function link(head: ChainHead | null, records: AuditRecord[]): ChainedRecord[] {
  let index = head ? head.chain_index : 0;
  let prev = head ? head.hash : GENESIS;
  return records.map((record) => {
    index += 1;
    const hash = hashRecord(prev, index, record);
    const chained = { ...record, chain_index: index, prev_hash: prev, hash };
    prev = hash;
    return chained;
  });
}

export interface Break {
  workspace: string;
  chain_index: number;
  event_id: string;
  reason: string;
}

/**
 * Walks one workspace's rows in chain order and returns the first broken link: a row
 * whose content no longer matches its hash, or whose prev_hash is not the hash before it.
 * `start` is where the walk begins (GENESIS, or the checkpoint retention left).
 */
export class ChainVerifier {
  private prev: string;
  private index: number;
  checked = 0;

  constructor(
    private readonly workspace: string,
    start: ChainHead = { chain_index: 0, hash: GENESIS },
  ) {
    this.prev = start.hash;
    this.index = start.chain_index;
  }

  /** Feeds the next row; returns the break it finds, if any. */
  next(row: ChainedRecord): Break | null {
    const at = { workspace: this.workspace, chain_index: row.chain_index, event_id: row.event_id };
    this.checked += 1;
    if (row.chain_index !== this.index + 1) return { ...at, reason: `chain index ${row.chain_index} follows ${this.index}: a row is missing` };
    if (row.prev_hash !== this.prev) return { ...at, reason: 'prev_hash does not match the hash of the row before it' };
    const { chain_index, prev_hash, hash, ...record } = row;
    if (hashRecord(prev_hash, chain_index, record) !== hash)
      return { ...at, reason: 'the row was changed after it was written (its hash no longer matches its content)' };
    this.prev = hash;
    this.index = chain_index;
    return null;
  }

  get head(): ChainHead {
    return { chain_index: this.index, hash: this.prev };
  }
}
