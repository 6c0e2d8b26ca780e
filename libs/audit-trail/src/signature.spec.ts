import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { AnyEvent, EventType, Principal, SignatureVerdict, exampleEvent } from '@hitl/contracts';
import { ChainVerifier, GENESIS, hashRecord, link } from './chain';
import { AuditRecord, deadLetterRecord, recordOf } from './record';
import { NOT_CHECKED, PROPOSER_SIGNED_TYPES, proposerOf, signatureRecord, signerName, withProposerCheck } from './signature';

const noPaths = () => [];
const example = (type: EventType) => exampleEvent(type) as AnyEvent;
const agent = (id: string): Principal => ({ kind: 'agent', id, workspaces: '*' });
const router: Principal = { kind: 'service', service: 'router' };
const escalation: Principal = { kind: 'service', service: 'escalation' };
const ok = (signer: Principal | null): SignatureVerdict => ({ ok: true, signer, kid: signer ? 'kid-1' : null });
const refused = (code: 'unsigned' | 'signature_invalid', reason: string): SignatureVerdict => ({ ok: false, code, reason, kid: null });

describe('what the record says about a signature', () => {
  it.each<[string, SignatureVerdict | undefined, { verified: boolean; signer: string | null; refusal: string | null }]>([
    ['signed by the router', ok(router), { verified: true, signer: 'service:router', refusal: null }],
    ['signed by the escalation service', ok(escalation), { verified: true, signer: 'service:escalation', refusal: null }],
    ['signed by an agent', ok(agent('refund-bot')), { verified: true, signer: 'agent:refund-bot', refusal: null }],
    ['signed by a labeler', ok({ kind: 'labeler', id: 'crm-sync', workspaces: '*' }), { verified: true, signer: 'labeler:crm-sync', refusal: null }],
    ['an unsigned proposal its workspace admits', ok(null), { verified: true, signer: null, refusal: null }],
    [
      'unsigned',
      refused('unsigned', 'hitl.approval.resolved.v1 must be signed (sigkid, sig)'),
      { verified: false, signer: null, refusal: 'unsigned: hitl.approval.resolved.v1 must be signed (sigkid, sig)' },
    ],
    [
      'signed by the wrong service',
      refused('signature_invalid', 'a resolution by reviewer must be signed by the escalation service, not the router service'),
      {
        verified: false,
        signer: null,
        refusal: 'signature_invalid: a resolution by reviewer must be signed by the escalation service, not the router service',
      },
    ],
    ['no verdict at all (fails closed)', undefined, { verified: false, signer: null, refusal: 'signature_invalid: the signature was not checked' }],
  ])('%s', (_name, verdict, expected) => {
    expect(signatureRecord(verdict)).toEqual(expected);
  });

  it('names signers by kind and id', () => {
    expect([router, agent('a'), null].map(signerName)).toEqual(['service:router', 'agent:a', null]);
  });
});

describe('events the proposing agent signs', () => {
  it('are the clarification answers and action.executed', () => {
    expect(PROPOSER_SIGNED_TYPES).toEqual(['hitl.approval.clarification_provided.v1', 'hitl.action.executed.v1']);
  });

  it.each<[string, SignatureVerdict | undefined, string | undefined, (SignatureVerdict | undefined) | RegExp]>([
    ['signed by the proposer', ok(agent('refund-bot')), 'refund-bot', ok(agent('refund-bot'))],
    [
      'signed by another agent',
      ok(agent('other-bot')),
      'refund-bot',
      /^not signed by the agent that proposed the decision \(proposed by agent:refund-bot, signed by agent:other-bot\)$/,
    ],
    ['signed by an agent, the proposal unknown', ok(agent('refund-bot')), undefined, /^no verified proposal of this decision is on the record/],
    ['already refused', refused('unsigned', 'must be signed'), 'refund-bot', refused('unsigned', 'must be signed')],
    ['no verdict', undefined, 'refund-bot', undefined],
  ])('%s', (_name, verdict, proposer, expected) => {
    for (const type of ['hitl.approval.clarification_provided.v1', 'hitl.action.executed.v1'] as const) {
      const result = withProposerCheck(example(type), verdict, proposer);
      if (expected instanceof RegExp)
        expect(result).toEqual({ ok: false, code: 'signature_invalid', reason: expect.stringMatching(expected), kid: verdict?.kid ?? null });
      else expect(result).toEqual(expected);
    }
  });

  it.each<EventType>(['hitl.approval.resolved.v1', 'hitl.outcome.labeled.v1', 'hitl.decision.proposed.v1', 'hitl.approval.clarification_requested.v1'])(
    'leaves %s as it verified',
    (type) => {
      expect(withProposerCheck(example(type), ok(escalation), 'refund-bot')).toEqual(ok(escalation));
    },
  );

  it.each<[string, EventType, SignatureVerdict | undefined, string | undefined]>([
    ['a verified proposal names its agent', 'hitl.decision.proposed.v1', ok(agent('refund-bot')), 'refund-bot'],
    ['an admitted unsigned proposal names its agent', 'hitl.decision.proposed.v1', ok(null), 'refund-bot'],
    ["the router's approval.requested carries the proposal", 'hitl.approval.requested.v1', ok(router), 'refund-bot'],
    ['a forged proposal names no one', 'hitl.decision.proposed.v1', refused('signature_invalid', 'key x is not trusted'), undefined],
    ['a proposal never verified names no one', 'hitl.decision.proposed.v1', undefined, undefined],
    ['a resolution names no proposer', 'hitl.approval.resolved.v1', ok(escalation), undefined],
  ])('the proposer: %s', (_name, type, verdict, expected) => {
    expect(proposerOf(example(type), verdict)).toBe(expected);
  });
});

describe('the verdict in the record and its chain', () => {
  const resolved = example('hitl.approval.resolved.v1');

  it.each<[string, SignatureVerdict, { actor_kind: string; actor_id: string; verified: boolean; signer: string | null; refusal: string | null }]>([
    [
      'verified: the reviewer it names',
      ok(escalation),
      { actor_kind: 'reviewer', actor_id: 'rev-alice', verified: true, signer: 'service:escalation', refusal: null },
    ],
    [
      'refused: only a claim',
      refused('unsigned', 'must be signed'),
      { actor_kind: 'unverified', actor_id: 'rev-alice', verified: false, signer: null, refusal: 'unsigned: must be signed' },
    ],
  ])('%s', (_name, verdict, expected) => {
    expect(recordOf(resolved, noPaths, signatureRecord(verdict))).toMatchObject(expected);
  });

  it('records rows that are not checked events with no verdict', () => {
    expect(recordOf(resolved, noPaths)).toMatchObject(NOT_CHECKED);
    const letter = deadLetterRecord(
      { topic: 'approval.resolved.dlq', partition: 0, offset: '1', value: Buffer.from('{}'), headers: {}, timestamp: '0' },
      noPaths,
    );
    expect(letter).toMatchObject(NOT_CHECKED);
  });

  it('hashes a row without a verdict as rows were hashed before verdicts existed, so old chains still verify', () => {
    const record = recordOf(resolved, noPaths);
    const { verified: _v, signer: _s, refusal: _r, ...before } = record;
    const old = `sha256:${createHash('sha256')
      .update(canonicalize({ ...before, chain_index: 1, prev_hash: GENESIS })!)
      .digest('hex')}`;
    expect(hashRecord(GENESIS, 1, record)).toBe(old);
  });

  const verify = (rows: ReturnType<typeof link>) => {
    const verifier = new ChainVerifier('acme-support');
    for (const row of rows) {
      const found = verifier.next(row);
      if (found) return found;
    }
    return null;
  };

  const chain = () =>
    link(null, [
      recordOf(example('hitl.decision.proposed.v1'), noPaths), // recorded before verdicts
      recordOf(example('hitl.approval.requested.v1'), noPaths, signatureRecord(ok(router))),
      recordOf(resolved, noPaths, signatureRecord(refused('unsigned', 'must be signed'))),
    ]);

  it('verifies a chain of old rows and rows with verdicts', () => {
    expect(verify(chain())).toBeNull();
  });

  it.each<[string, (rows: AuditRecord[]) => void, number]>([
    ['a refused row made verified', (rows) => Object.assign(rows[2], { verified: true, refusal: null, actor_kind: 'reviewer' }), 3],
    ['a refused row made to look as if never checked', (rows) => Object.assign(rows[2], { verified: null, refusal: null }), 3],
    ['a verified row made refused', (rows) => Object.assign(rows[1], { verified: false, signer: null, refusal: 'unsigned: x' }), 2],
    ['another signer', (rows) => Object.assign(rows[1], { signer: 'service:escalation' }), 2],
    ['an old row given a verdict', (rows) => Object.assign(rows[0], { verified: true, signer: 'agent:refund-bot' }), 1],
  ])('names the row after %s', (_name, tamper, index) => {
    const rows = chain();
    tamper(rows);
    expect(verify(rows)).toMatchObject({ chain_index: index, reason: expect.stringContaining('changed after it was written') });
  });
});
