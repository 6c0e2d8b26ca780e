import canonicalize from 'canonicalize';
import { APPROVAL_ASSIGNED, APPROVAL_CLARIFICATION_PROVIDED } from '../events/approval-updated';
import { APPROVAL_REQUESTED } from '../events/approval-requested';
import { APPROVAL_RESOLVED } from '../events/approval-resolved';
import { ACTION_EXECUTED } from '../events/action-executed';
import { DECISION_PROPOSED } from '../events/decision-proposed';
import { DIRECTORY_REVIEWER_CHANGED } from '../events/directory-changed';
import { OUTCOME_LABELED } from '../events/outcome-labeled';
import { AUDIT_RECORDED } from '../events/audit-recorded';
import { decodeEvent } from '../decode';
import { exampleEvent } from '../examples';
import { AnyEvent, EventType, topicOf } from '../catalogue';
import { Keyring, Principal, SignatureVerdict, signedByProposer } from './keyring';
import { generateSigningKey, jwkThumbprint, parseJwks, parseSigningKey, publicJwkOf } from './keys';
import { signEvent, signatureVerifies, signedEventJson, signingInput } from './sign';
import { ed25519Backend, useEd25519Backend } from './ed25519';

const router = generateSigningKey();
const routerNext = generateSigningKey();
const escalation = generateSigningKey();
const refundBot = generateSigningKey();
const otherBot = generateSigningKey();
const crm = generateSigningKey();
const stranger = generateSigningKey();
const gateway = generateSigningKey();
const audit = generateSigningKey();

const keyring = new Keyring({
  services: {
    router: { keys: [router.jwk, routerNext.jwk] },
    escalation: { keys: [escalation.jwk] },
    gateway: { keys: [gateway.jwk] },
    audit: { keys: [audit.jwk] },
  },
  agents: [
    { id: 'refund-bot', workspaces: ['acme-support'], keys: { keys: [refundBot.jwk] } },
    { id: 'other-bot', workspaces: '*', keys: { keys: [otherBot.jwk] } },
    // Through the gateway only: no key of its own.
    { id: 'lambda-bot', workspaces: ['acme-support'], keys: { keys: [] }, gateway: true },
  ],
  labelers: [{ id: 'crm-sync', workspaces: ['acme-support'], keys: { keys: [crm.jwk] } }],
  unsignedWorkspaces: ['sandbox'],
});

function example(type: EventType, edit: (event: AnyEvent) => void = () => undefined): AnyEvent {
  const event = structuredClone(exampleEvent(type)) as AnyEvent;
  event.workspaceid = 'acme-support';
  edit(event);
  return event;
}

/** What a consumer sees: the bytes decoded, then verified. */
function received(event: object): SignatureVerdict {
  const decoded = decodeEvent(topicOf((event as AnyEvent).type), Buffer.from(JSON.stringify(event)));
  if (!decoded.ok) throw new Error(decoded.violation.message);
  return keyring.verify(decoded.raw, decoded.event);
}

const proposal = (agent: string, workspace = 'acme-support') =>
  example(DECISION_PROPOSED, (e) => {
    e.workspaceid = workspace;
    (e.data as { agent: { id: string } }).agent = { id: agent };
  });
/** The event as the gateway sends it for `agent`: the agent named in the signed `hitlagent` attribute. */
const viaGateway = (event: AnyEvent, agent: string): AnyEvent => ({ ...event, hitlagent: agent }) as AnyEvent;
const resolution = (kind: 'policy' | 'reviewer' | 'timeout') =>
  example(APPROVAL_RESOLVED, (e) => {
    (e.data as { resolved_by: { kind: string; id: string } }).resolved_by = { kind, id: 'someone' };
  });

describe('signatures: who said it', () => {
  const cases: { name: string; event: AnyEvent; key: { key: { kid: string } } | null; ok: boolean | 'unsigned'; signer?: Partial<Principal> }[] = [
    { name: 'a proposal signed by the agent it names', event: proposal('refund-bot'), key: refundBot, ok: true, signer: { kind: 'agent', id: 'refund-bot' } },
    { name: 'a proposal under another agent id', event: proposal('refund-bot'), key: otherBot, ok: false },
    { name: 'a proposal signed by a key nobody registered', event: proposal('refund-bot'), key: stranger, ok: false },
    { name: 'a proposal in a workspace the agent may not act in', event: proposal('refund-bot', 'globex'), key: refundBot, ok: false },
    { name: 'a proposal of an agent of every workspace', event: proposal('other-bot', 'globex'), key: otherBot, ok: true },
    { name: 'an unsigned proposal', event: proposal('refund-bot'), key: null, ok: 'unsigned' },
    { name: 'an unsigned proposal where the workspace admits it', event: proposal('anyone', 'sandbox'), key: null, ok: true, signer: undefined },
    { name: 'a proposal signed by the router', event: proposal('refund-bot'), key: router, ok: false },
    {
      name: 'a proposal the gateway signs for an agent registered to use it, naming it',
      event: viaGateway(proposal('lambda-bot'), 'lambda-bot'),
      key: gateway,
      ok: true,
      signer: { kind: 'agent', id: 'lambda-bot', via: 'gateway' },
    },
    { name: 'a proposal the gateway signs naming no agent', event: proposal('lambda-bot'), key: gateway, ok: false },
    {
      name: 'a proposal the gateway signs for an agent not registered to use it',
      event: viaGateway(proposal('refund-bot'), 'refund-bot'),
      key: gateway,
      ok: false,
    },
    { name: 'a proposal the gateway signs naming one agent for another', event: viaGateway(proposal('refund-bot'), 'lambda-bot'), key: gateway, ok: false },
    {
      name: 'a proposal the gateway signs outside the agent’s workspaces',
      event: viaGateway(proposal('lambda-bot', 'globex'), 'lambda-bot'),
      key: gateway,
      ok: false,
    },
    { name: 'a resolution the gateway signs', event: viaGateway(resolution('reviewer'), 'lambda-bot'), key: gateway, ok: false },
    {
      name: 'an execution report the gateway signs for its agent (whose proposal it was is checked where that is known)',
      event: viaGateway(example(ACTION_EXECUTED), 'lambda-bot'),
      key: gateway,
      ok: true,
      signer: { kind: 'agent', id: 'lambda-bot', via: 'gateway' },
    },
    { name: 'a label the gateway signs for its agent', event: viaGateway(example(OUTCOME_LABELED), 'lambda-bot'), key: gateway, ok: true },
    { name: 'approval.requested by the router', event: example(APPROVAL_REQUESTED), key: router, ok: true, signer: { kind: 'service', service: 'router' } },
    { name: 'approval.requested by the router next key (rotation)', event: example(APPROVAL_REQUESTED), key: routerNext, ok: true },
    { name: 'approval.requested by an agent', event: example(APPROVAL_REQUESTED), key: refundBot, ok: false },
    { name: 'approval.requested unsigned', event: example(APPROVAL_REQUESTED), key: null, ok: 'unsigned' },
    { name: 'a policy resolution by the router', event: resolution('policy'), key: router, ok: true },
    { name: 'a policy resolution by escalation', event: resolution('policy'), key: escalation, ok: false },
    { name: 'a reviewer resolution by escalation', event: resolution('reviewer'), key: escalation, ok: true },
    { name: 'a reviewer resolution by the router', event: resolution('reviewer'), key: router, ok: false },
    { name: 'a timeout resolution by the router', event: resolution('timeout'), key: router, ok: false },
    { name: 'a reviewer resolution by an agent', event: resolution('reviewer'), key: refundBot, ok: false },
    { name: 'assigned by escalation', event: example(APPROVAL_ASSIGNED), key: escalation, ok: true },
    { name: 'assigned by the router', event: example(APPROVAL_ASSIGNED), key: router, ok: false },
    { name: 'a clarification answer by an agent', event: example(APPROVAL_CLARIFICATION_PROVIDED), key: refundBot, ok: true },
    { name: 'a clarification answer by escalation', event: example(APPROVAL_CLARIFICATION_PROVIDED), key: escalation, ok: false },
    { name: 'action.executed by an agent', event: example(ACTION_EXECUTED), key: refundBot, ok: true },
    { name: 'action.executed by the router', event: example(ACTION_EXECUTED), key: router, ok: false },
    { name: 'a label by a labeler of the workspace', event: example(OUTCOME_LABELED), key: crm, ok: true, signer: { kind: 'labeler', id: 'crm-sync' } },
    { name: 'a label by a labeler of another workspace', event: example(OUTCOME_LABELED, (e) => (e.workspaceid = 'globex')), key: crm, ok: false },
    { name: 'a label by an agent', event: example(OUTCOME_LABELED), key: refundBot, ok: true },
    {
      name: 'a directory change by escalation',
      event: example(DIRECTORY_REVIEWER_CHANGED),
      key: escalation,
      ok: true,
      signer: { kind: 'service', service: 'escalation' },
    },
    { name: 'a directory change by the router', event: example(DIRECTORY_REVIEWER_CHANGED), key: router, ok: false },
    { name: 'a directory change by the audit', event: example(DIRECTORY_REVIEWER_CHANGED), key: audit, ok: false },
    { name: 'audit.recorded by the audit', event: example(AUDIT_RECORDED), key: audit, ok: true, signer: { kind: 'service', service: 'audit' } },
    { name: 'audit.recorded by escalation', event: example(AUDIT_RECORDED), key: escalation, ok: false },
    { name: 'audit.recorded by the router', event: example(AUDIT_RECORDED), key: router, ok: false },
    { name: 'audit.recorded by an agent', event: example(AUDIT_RECORDED), key: refundBot, ok: false },
    { name: 'audit.recorded unsigned', event: example(AUDIT_RECORDED), key: null, ok: 'unsigned' },
    { name: 'a directory change by an agent', event: example(DIRECTORY_REVIEWER_CHANGED), key: refundBot, ok: false },
    { name: 'a directory change unsigned', event: example(DIRECTORY_REVIEWER_CHANGED), key: null, ok: 'unsigned' },
  ];

  it.each(cases)('$name', ({ event, key, ok, signer }) => {
    const signed = key ? signEvent(event, key.key as never) : event;
    const verdict = received(signed);
    if (ok === true) {
      expect(verdict).toMatchObject({ ok: true });
      if (verdict.ok && signer) expect(verdict.signer).toMatchObject(signer);
      if (verdict.ok && !key) expect(verdict.signer).toBeNull();
    } else {
      expect(verdict).toMatchObject({ ok: false, code: ok === 'unsigned' ? 'unsigned' : 'signature_invalid' });
    }
  });

  it('gives the same verdict off the main thread (verifyAsync) for every case', async () => {
    for (const { event, key } of cases) {
      const signed = key ? signEvent(event, key.key as never) : event;
      const decoded = decodeEvent(topicOf(event.type), Buffer.from(JSON.stringify(signed)));
      if (!decoded.ok) throw new Error(decoded.violation.message);
      expect(await keyring.verifyAsync(decoded.raw, decoded.event)).toEqual(keyring.verify(decoded.raw, decoded.event));
    }
    const forged = { ...(signEvent(resolution('policy'), router.key) as Record<string, any>), sig: 'A'.repeat(86) };
    expect(await keyring.verifyAsync(forged, forged as unknown as AnyEvent)).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  const tampered: [string, (event: Record<string, any>) => void][] = [
    ['the amount', (e) => (e.data.parameters.amount_usd = 999_999)],
    ['the status', (e) => (e.data.status = e.data.status === 'approved' ? 'denied' : 'approved')],
    ['the workspace', (e) => (e.workspaceid = 'globex')],
    ['the key id', (e) => (e.sigkid = routerNext.key.kid)],
    ['the event id', (e) => (e.id = '7c0f3c1e-1111-4111-8111-111111111111')],
    ['an added field', (e) => (e.data.extra = 'x')],
    ['the signature itself', (e) => (e.sig = `${e.sig.startsWith('A') ? 'B' : 'A'}${e.sig.slice(1)}`)],
    // The last character carries 2 bits: its next letter decodes to the very same bytes.
    [
      "the signature's spelling (the same bytes)",
      (e) => (e.sig = `${e.sig.slice(0, -1)}${({ A: 'B', Q: 'R', g: 'h', w: 'x' } as Record<string, string>)[e.sig.at(-1)]}`),
    ],
  ];
  it.each(tampered)('refuses a signed resolution whose %s was changed afterwards', (_, change) => {
    const signed = signEvent(resolution('policy'), router.key) as Record<string, any>;
    expect(received(signed)).toMatchObject({ ok: true });
    change(signed);
    expect(received(signed)).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('covers sigkid and everything but sig, as the RFC 8785 canonical JSON', () => {
    const signed = signEvent(example(APPROVAL_REQUESTED), router.key) as Record<string, unknown>;
    const { sig, ...rest } = signed;
    expect(signingInput(signed).toString('utf8')).toBe(canonicalize(rest));
    expect(rest.sigkid).toBe(router.key.kid);
    expect(sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
    // Key order and whitespace on the wire do not matter: the canonical form does.
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(signed).reverse())));
    expect(signatureVerifies(reordered, keyring.key(router.key.kid)!.publicKey)).toBe(true);
  });

  it.each([
    ['a request', () => example(APPROVAL_REQUESTED)],
    ['a policy resolution', () => resolution('policy')],
    ['an event already signed by another key (its sig replaced)', () => signEvent(example(APPROVAL_REQUESTED), routerNext.key)],
    [
      'text beyond ASCII',
      () => {
        const r = resolution('policy');
        return { ...r, data: { ...r.data, notes: 'décision ✓ 😀 "quoted" \\ \n' } };
      },
    ],
  ])('publishes %s as the signing input with sig last: the event signEvent gives, verifying', (_, make) => {
    const event = make();
    const json = signedEventJson(event, router.key);
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(parsed).toEqual(signEvent(event, router.key));
    expect(json).toBe(`${signingInput(parsed).toString('utf8').slice(0, -1)},"sig":${JSON.stringify(parsed.sig)}}`);
    expect(received(parsed)).toMatchObject({ ok: true });
  });

  it('refuses malformed signature attributes without throwing', () => {
    const event = example(APPROVAL_REQUESTED) as Record<string, unknown>;
    expect(keyring.verify({ ...event, sigkid: 7, sig: 'x' }, event as AnyEvent)).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(keyring.verify({ ...event, sigkid: router.key.kid }, event as AnyEvent)).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(keyring.verify({ ...event, sigkid: router.key.kid, sig: '!'.repeat(86) }, event as AnyEvent)).toMatchObject({ ok: false });
  });

  it('a key leaves the keyset: what it signed is refused from then on', () => {
    const signed = signEvent(example(APPROVAL_REQUESTED), router.key);
    const after = new Keyring({ services: { router: { keys: [routerNext.jwk] } } });
    const decoded = decodeEvent(topicOf(signed.type), Buffer.from(JSON.stringify(signed)));
    if (!decoded.ok) throw new Error('decode');
    expect(keyring.verify(decoded.raw, decoded.event).ok).toBe(true);
    expect(after.verify(decoded.raw, decoded.event)).toMatchObject({ ok: false, reason: expect.stringContaining('not trusted') });
  });

  it('tells whether the proposer signed', () => {
    expect(signedByProposer({ kind: 'agent', id: 'refund-bot', workspaces: '*' }, 'refund-bot')).toBe(true);
    expect(signedByProposer({ kind: 'agent', id: 'other-bot', workspaces: '*' }, 'refund-bot')).toBe(false);
    expect(signedByProposer({ kind: 'labeler', id: 'refund-bot', workspaces: '*' }, 'refund-bot')).toBe(false);
    expect(signedByProposer(null, 'refund-bot')).toBe(false);
  });
});

describe('Ed25519 backends', () => {
  afterEach(() => useEd25519Backend(undefined));

  it('loads libsodium where it is installed (it is, here), and OpenSSL when told', () => {
    expect(ed25519Backend()).toBe('libsodium');
    useEd25519Backend('openssl');
    expect(ed25519Backend()).toBe('openssl');
  });

  it('gives the same signature either way, and each verifies the other', async () => {
    const event = example(APPROVAL_REQUESTED);
    useEd25519Backend('openssl');
    const byOpenSsl = signEvent(event, router.key);
    useEd25519Backend('libsodium');
    const bySodium = signEvent(event, router.key);
    expect(bySodium.sig).toBe(byOpenSsl.sig);
    for (const backend of ['openssl', 'libsodium'] as const) {
      useEd25519Backend(backend);
      expect(received(byOpenSsl)).toMatchObject({ ok: true });
      const tampered = { ...bySodium, id: '7c0f3c1e-1111-4111-8111-111111111111' };
      expect(received(tampered)).toMatchObject({ ok: false, code: 'signature_invalid' });
      const decoded = decodeEvent(topicOf(bySodium.type), Buffer.from(JSON.stringify(bySodium)));
      if (!decoded.ok) throw new Error('decode');
      expect(await keyring.verifyAsync(decoded.raw, decoded.event)).toMatchObject({ ok: true });
    }
  });
});

describe('keys', () => {
  it('reads a PEM and a private JWK; the key id is the RFC 7638 thumbprint unless the JWK names one', () => {
    const generated = generateSigningKey();
    expect(parseSigningKey(generated.pem).kid).toBe(generated.jwk.kid);
    expect(generated.jwk.kid).toBe(jwkThumbprint(generated.jwk));
    const privateJwk = { ...(generated.key.privateKey.export({ format: 'jwk' }) as object), kid: 'router-2026-12' };
    const fromJwk = parseSigningKey(JSON.stringify(privateJwk));
    expect(fromJwk.kid).toBe('router-2026-12');
    expect(publicJwkOf(fromJwk.privateKey).x).toBe(generated.jwk.x);
  });

  it('matches the thumbprint of RFC 8037 appendix A.3', () => {
    expect(jwkThumbprint({ x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' })).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('refuses keys that are not Ed25519, naming the key', () => {
    expect(() => parseSigningKey('not a key')).toThrow();
    expect(() => parseJwks({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB' }] })).toThrow(/keys\.0\.kty/);
    expect(() => parseJwks({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'short' }] })).toThrow(/keys\.0\.x/);
    expect(
      () =>
        new Keyring({
          agents: [
            { id: 'a', workspaces: '*', keys: { keys: [refundBot.jwk] } },
            { id: 'b', workspaces: '*', keys: { keys: [refundBot.jwk] } },
          ],
        }),
    ).toThrow(/listed twice/);
  });
});
