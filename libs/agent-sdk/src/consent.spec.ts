import { randomUUID } from 'node:crypto';
import {
  APPROVAL_CLARIFICATION_REQUESTED,
  APPROVAL_RESOLVED,
  AnyEvent,
  ApprovalResolvedData,
  Keyring,
  SignatureVerdict,
  decodeEvent,
  generateSigningKey,
  newEvent,
  payloadHash,
  signEvent,
  topicOf,
} from '@hitl/contracts';
import { Consent, ProposedDecision, checkClarificationRequest, checkResolution, checkRollback } from './consent';

const router = generateSigningKey();
const routerNext = generateSigningKey();
const escalation = generateSigningKey();
const agent = generateSigningKey();
const stranger = generateSigningKey();

const keyring = new Keyring({ services: { router: { keys: [router.jwk] }, escalation: { keys: [escalation.jwk] } } });

const decisionId = randomUUID();
const parameters = { order_id: 'ORD-9', amount_usd: 120 };
const proposal: ProposedDecision = { decision_id: decisionId, action: 'process_refund', payload_hash: payloadHash('process_refund', parameters) };

type Data = Partial<ApprovalResolvedData>;

/** An approval.resolved of the proposal, approved by a reviewer unless `data` says otherwise. */
function resolution(data: Data = {}): AnyEvent {
  const action = data.action ?? 'process_refund';
  const params = data.parameters ?? parameters;
  return newEvent(
    APPROVAL_RESOLVED,
    {
      decision_id: decisionId,
      approval_id: randomUUID(),
      status: 'approved',
      resolved_by: { kind: 'reviewer', id: 'rev-alice' },
      parameters: params,
      edited: false,
      reasons: [],
      notes: null,
      chosen_option: null,
      manifest_version: 'sha256:m',
      confidence: 0.9,
      action,
      payload_hash: payloadHash(action, params),
      ...data,
    },
    { source: 'hitl/escalation', workspaceid: 'acme-support' },
  );
}

const byPolicy = (data: Data = {}) => resolution({ approval_id: null, resolved_by: { kind: 'policy', id: 'sha256:m' }, ...data });

/** What the agent does with the bytes: decode, verify over the raw JSON, then the executor rule. */
function received(event: object, ring: Keyring = keyring, pending: ProposedDecision | null = proposal): Consent {
  const decoded = decodeEvent(topicOf((event as AnyEvent).type), Buffer.from(JSON.stringify(event)));
  if (!decoded.ok) throw new Error(decoded.violation.message);
  if (decoded.event.type !== APPROVAL_RESOLVED) throw new Error('not a resolution');
  return checkResolution(pending ?? undefined, decoded.event.data, ring.verify(decoded.raw, decoded.event));
}

const edited = { order_id: 'ORD-9', amount_usd: 12_000 };

describe('consent: the executor rule', () => {
  const cases: { name: string; event: () => object; expect: Consent['outcome']; code?: string; reason?: RegExp }[] = [
    { name: 'a policy approval signed by the router', event: () => signEvent(byPolicy(), router.key), expect: 'accept' },
    { name: 'a reviewer approval signed by the escalation service', event: () => signEvent(resolution(), escalation.key), expect: 'accept' },
    {
      name: 'an expiry (timeout) signed by the escalation service',
      event: () => signEvent(resolution({ status: 'expired', resolved_by: { kind: 'timeout', id: 'sla' } }), escalation.key),
      expect: 'accept',
    },
    {
      name: "an unsigned reviewer approval with the attacker's parameters and their hash",
      event: () => resolution({ parameters: edited, payload_hash: payloadHash('process_refund', edited) }),
      expect: 'refuse',
      code: 'unsigned',
    },
    {
      name: 'a forged hash: the router approves a payload_hash that is not the proposal’s',
      event: () => signEvent(byPolicy({ parameters: edited, payload_hash: payloadHash('process_refund', edited) }), router.key),
      expect: 'refuse',
      code: 'signature_invalid',
      reason: /payload_hash .* but this agent proposed/,
    },
    {
      name: 'a reviewer resolution signed by the router',
      event: () => signEvent(resolution(), router.key),
      expect: 'refuse',
      code: 'signature_invalid',
      reason: /escalation service/,
    },
    {
      name: 'a policy resolution signed by the escalation service',
      event: () => signEvent(byPolicy(), escalation.key),
      expect: 'refuse',
      code: 'signature_invalid',
      reason: /router service/,
    },
    {
      name: 'an edited amount with edited: false, signed by the escalation service',
      event: () => signEvent(resolution({ parameters: edited, payload_hash: payloadHash('process_refund', edited), edited: false }), escalation.key),
      expect: 'refuse',
      code: 'signature_invalid',
      reason: /edited is false/,
    },
    {
      name: 'another action, signed by the router',
      event: () => signEvent(byPolicy({ action: 'issue_goodwill_credit' }), router.key),
      expect: 'refuse',
      code: 'signature_invalid',
      reason: /"issue_goodwill_credit" but this agent proposed "process_refund"/,
    },
    {
      name: 'another action, denied: a denial must still name the action proposed',
      event: () => signEvent(resolution({ action: 'issue_goodwill_credit', status: 'denied' }), escalation.key),
      expect: 'refuse',
      code: 'signature_invalid',
    },
    {
      name: 'edited: true by the escalation service (a reviewer edit)',
      event: () =>
        signEvent(
          resolution({
            parameters: { ...parameters, amount_usd: 100 },
            payload_hash: payloadHash('process_refund', { ...parameters, amount_usd: 100 }),
            edited: true,
          }),
          escalation.key,
        ),
      expect: 'accept',
    },
    {
      name: 'edited: true by the router',
      event: () => signEvent(byPolicy({ parameters: edited, payload_hash: payloadHash('process_refund', edited), edited: true }), router.key),
      expect: 'refuse',
      code: 'signature_invalid',
      reason: /an edit is taken only from the escalation service/,
    },
    {
      name: 'a denial by a reviewer, signed by the escalation service',
      event: () => signEvent(resolution({ status: 'denied' }), escalation.key),
      expect: 'accept',
    },
    { name: 'a block by policy, signed by the router', event: () => signEvent(byPolicy({ status: 'blocked' }), router.key), expect: 'accept' },
    {
      name: 'a denial by a reviewer, signed by the router',
      event: () => signEvent(resolution({ status: 'denied' }), router.key),
      expect: 'refuse',
      code: 'signature_invalid',
    },
    { name: 'a key nobody trusts', event: () => signEvent(byPolicy(), stranger.key), expect: 'refuse', code: 'signature_invalid', reason: /not trusted/ },
    {
      name: 'an agent key (agents grant no authority)',
      event: () => signEvent(byPolicy(), agent.key),
      expect: 'refuse',
      code: 'signature_invalid',
      reason: /not trusted/,
    },
    {
      name: 'a genuine router approval altered after signing',
      event: () => {
        const genuine = signEvent(byPolicy(), router.key);
        return { ...genuine, data: { ...genuine.data, parameters: edited, payload_hash: payloadHash('process_refund', edited) } };
      },
      expect: 'refuse',
      code: 'signature_invalid',
      reason: /does not verify/,
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const consent = received(c.event());
    expect(consent.outcome).toBe(c.expect);
    if (consent.outcome === 'refuse') {
      expect(consent.code).toBe(c.code);
      if (c.reason) expect(consent.reason).toMatch(c.reason);
    }
  });

  it('ignores a decision that is not ours, however it is signed', () => {
    const other = { ...proposal, decision_id: randomUUID() };
    expect(received(resolution(), keyring, null)).toMatchObject({ outcome: 'ignore' });
    expect(received(signEvent(resolution(), escalation.key), keyring, null)).toMatchObject({ outcome: 'ignore' });
    expect(received(signEvent(resolution(), escalation.key), keyring, other)).toMatchObject({ outcome: 'ignore' });
  });

  it('checks authority itself too, whatever verdict it is handed', () => {
    const data = (resolution() as { data: ApprovalResolvedData }).data;
    const asRouter: SignatureVerdict = { ok: true, signer: { kind: 'service', service: 'router' }, kid: router.jwk.kid };
    const unsigned: SignatureVerdict = { ok: true, signer: null, kid: null };
    const asAgent: SignatureVerdict = { ok: true, signer: { kind: 'agent', id: 'refund-bot', workspaces: '*' }, kid: agent.jwk.kid };
    expect(checkResolution(proposal, data, asRouter)).toMatchObject({ outcome: 'refuse', code: 'signature_invalid' });
    expect(checkResolution(proposal, data, unsigned)).toMatchObject({ outcome: 'refuse', code: 'unsigned' });
    expect(checkResolution(proposal, data, asAgent)).toMatchObject({
      outcome: 'refuse',
      code: 'signature_invalid',
      reason: expect.stringContaining('agent "refund-bot"'),
    });
  });
});

describe('consent: key rotation', () => {
  const rotating = new Keyring({ services: { router: { keys: [router.jwk, routerNext.jwk] }, escalation: { keys: [escalation.jwk] } } });
  const rotated = new Keyring({ services: { router: { keys: [routerNext.jwk] }, escalation: { keys: [escalation.jwk] } } });

  it('while both router keys are trusted, a resolution signed with either verifies', () => {
    expect(received(signEvent(byPolicy(), router.key), rotating)).toEqual({ outcome: 'accept' });
    expect(received(signEvent(byPolicy(), routerNext.key), rotating)).toEqual({ outcome: 'accept' });
  });

  it('once the old key is dropped, what it signs is refused and the new key still works', () => {
    expect(received(signEvent(byPolicy(), router.key), rotated)).toMatchObject({
      outcome: 'refuse',
      code: 'signature_invalid',
      reason: `key ${router.jwk.kid} is not trusted`,
    });
    expect(received(signEvent(byPolicy(), routerNext.key), rotated)).toEqual({ outcome: 'accept' });
  });
});

describe('consent: reviewer questions', () => {
  const question = newEvent(
    APPROVAL_CLARIFICATION_REQUESTED,
    { decision_id: decisionId, approval_id: randomUUID(), clarification_id: randomUUID(), requested_by: 'rev-alice', question: 'Why the full amount?' },
    { source: 'hitl/escalation', workspaceid: 'acme-support' },
  );
  const verdictOf = (event: object): SignatureVerdict => {
    const decoded = decodeEvent(topicOf(question.type), Buffer.from(JSON.stringify(event)));
    if (!decoded.ok) throw new Error(decoded.violation.message);
    return keyring.verify(decoded.raw, decoded.event);
  };

  it('are answered only when the escalation service signed them', () => {
    expect(checkClarificationRequest(verdictOf(signEvent(question, escalation.key)))).toEqual({ outcome: 'accept' });
    expect(checkClarificationRequest(verdictOf(question))).toMatchObject({ outcome: 'refuse', code: 'unsigned' });
    expect(checkClarificationRequest(verdictOf(signEvent(question, router.key)))).toMatchObject({ outcome: 'refuse', code: 'signature_invalid' });
    expect(checkClarificationRequest({ ok: true, signer: { kind: 'service', service: 'router' }, kid: 'k' })).toMatchObject({
      outcome: 'refuse',
      code: 'signature_invalid',
    });
  });

  it.each([
    [
      'signed by the escalation service: undone',
      { ok: true as const, signer: { kind: 'service' as const, service: 'escalation' }, kid: 'k' },
      'accept',
      undefined,
    ],
    ['unsigned: never undone', { ok: true as const, signer: null, kid: null }, 'refuse', 'unsigned'],
    ['signed by the router: refused', { ok: true as const, signer: { kind: 'service' as const, service: 'router' }, kid: 'k' }, 'refuse', 'signature_invalid'],
    [
      'signed by an agent: refused',
      { ok: true as const, signer: { kind: 'agent' as const, id: 'refund-bot', workspaces: ['*'] }, kid: 'k' },
      'refuse',
      'signature_invalid',
    ],
  ])('a rollback %s', (_name, verdict, outcome, code) => {
    const consent = checkRollback(verdict as SignatureVerdict);
    expect(consent.outcome).toBe(outcome);
    if (code) expect(consent).toMatchObject({ code });
  });
});
