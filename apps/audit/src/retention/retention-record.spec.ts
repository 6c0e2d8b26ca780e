import { AuditRecord, ChainVerifier, ChainedRecord, link, recordOf } from '@hitl/audit-trail';
import { AnyEvent, EventType, exampleEvent } from '@hitl/contracts';
import { RETENTION_ACTOR, retentionRecord } from './retention-record';

const types: EventType[] = [
  'hitl.decision.proposed.v1',
  'hitl.approval.requested.v1',
  'hitl.approval.assigned.v1',
  'hitl.approval.resolved.v1',
  'hitl.action.executed.v1',
];
const records = types.map((type, i) => recordOf(exampleEvent(type, { id: `00000000-0000-4000-8000-00000000000${i}` }) as AnyEvent, () => []));

const verify = (start: { chain_index: number; hash: string } | undefined, rows: ChainedRecord[]) => {
  const verifier = new ChainVerifier('acme-support', start);
  for (const row of rows) {
    const found = verifier.next(row);
    if (found) return found;
  }
  return null;
};

describe('retention, as the chain sees it', () => {
  it('given a chain, when its first rows are removed and a retention record appended, then it verifies from the checkpoint', () => {
    const chain = link(null, records);
    const through = { chain_index: chain[2].chain_index, hash: chain[2].hash };
    const kept = chain.slice(3);
    const record: AuditRecord = retentionRecord(
      { workspace: 'acme-support', through, count: 3, olderThan: new Date('2026-11-21T00:00:00Z'), period: '1d' },
      new Date('2026-11-22T00:00:00Z'),
    );
    const [appended] = link({ chain_index: kept[kept.length - 1].chain_index, hash: kept[kept.length - 1].hash }, [record]);
    expect(verify(through, [...kept, appended])).toBeNull();
    expect(appended).toMatchObject({
      chain_index: 6,
      type: 'hitl.audit.retention.v1',
      actor_kind: 'system',
      actor_id: RETENTION_ACTOR,
      decision_id: null,
      event: { removed_through_chain_index: 3, removed_through_hash: through.hash, removed_count: 3, older_than: '2026-11-21T00:00:00.000Z', retention: '1d' },
    });
  });

  it('given the same removal, when the checkpoint is not kept, then verification names the missing rows', () => {
    const chain = link(null, records);
    expect(verify(undefined, chain.slice(3))).toMatchObject({ chain_index: 4, reason: expect.stringContaining('a row is missing') });
  });
});
