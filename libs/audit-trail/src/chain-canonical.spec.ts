import canonicalize from 'canonicalize';
import { AuditRecord, hashedContent, hashRecord, link, linkCanonical } from '.';

const base: AuditRecord = {
  event_id: 'e-1',
  workspace: 'acme',
  topic: 'decision.proposed',
  type: 'hitl.decision.proposed.v1',
  decision_id: null,
  actor_kind: 'agent',
  actor_id: 'bot',
  action: 'refund',
  occurred_at: '2026-11-22T09:00:00.000Z',
  manifest_version: null,
  event: { data: { amount: 1.5, big: 1e21, tiny: 0.000001, text: 'é "q" \n \u2028 😀', list: [3, { z: 1, a: null }], empty: {} } },
  verified: true,
  signer: 'agent:bot',
  refusal: null,
};

// Keys that sort differently escaped than raw, or around chain_index and prev_hash.
const records: AuditRecord[] = [
  base,
  { ...base, event_id: 'e-2', verified: null, signer: null, refusal: null },
  { ...base, event_id: 'e-3', verified: false, signer: null, refusal: 'unsigned: x' },
  { ...base, event_id: 'e-4', event: { 'a"b': 1, 'chain_index~': 2, 'prev\u0000hash': 3, Z: 4, é: 5, '': 6, '\ud83d\ude00': 7, '\uff61': 8 } },
  { ...base, event_id: 'e-5', extra: { prev_hash: 'nested', chain_index: 9 } } as AuditRecord,
];

describe('linkCanonical', () => {
  it('chains exactly as link and hashRecord do, from a new chain and after a head', () => {
    for (const head of [null, { chain_index: 41, hash: `sha256:${'a'.repeat(64)}` }]) {
      const canonical = linkCanonical(head, records);
      expect(canonical.map((c) => c.row)).toEqual(link(head, records));
      for (const { row } of canonical) {
        const { chain_index, prev_hash, hash, ...record } = row;
        expect(hashRecord(prev_hash, chain_index, record)).toBe(hash);
      }
    }
  });

  it('gives each record’s canonical JSON (RFC 8785) as hashed: without the three signature fields when it has no verdict', () => {
    const canonical = linkCanonical(null, records);
    for (const [i, { record }] of canonical.entries()) expect(record).toBe(canonicalize(hashedContent(records[i])));
    expect(JSON.parse(canonical[1].record)).not.toHaveProperty('verified');
  });
});
