// The test vectors of the Python client (clients/python/tests/vectors/vectors.json), made by
// the TypeScript implementation the services sign with: RFC 8785 canonical JSON of awkward
// values (the `canonicalize` package), payload hashes (payloadHash), and events signed with
// signEvent under keys derived from fixed seeds, with their JWKS, and a callback signed as the
// gateway signs it (the `standardwebhooks` package). vectors.int-spec.ts makes them
// again in memory and compares them with the committed file, so they stay the TypeScript
// implementation's. To write the file again:
//   node -r @swc-node/register test/integration/python/vectors.ts --write
import { KeyObject, createHash, createPrivateKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import canonicalize from 'canonicalize';
import { Webhook } from 'standardwebhooks';
import {
  APPROVAL_RESOLVED,
  ApprovalResolvedData,
  DECISION_PROPOSED,
  DecisionProposedData,
  SigningKey,
  newEvent,
  payloadHash,
  publicJwkOf,
  signEvent,
  signingInput,
} from '@hitl/contracts';

export const vectorsFile = resolve(__dirname, '../../../clients/python/tests/vectors/vectors.json');

// Each case is JSON text, parsed as a consumer parses what it receives; `canonical` is what canonicalize makes of it.
const canonicalCases: [string, string][] = [
  ['literals', '[null,true,false]'],
  ['empty containers', '{"a":{},"b":[],"c":""}'],
  ['whitespace is dropped', ' { "b" : [ 1 , 2 ] ,\n\t"a" : { } } '],
  ['unicode as it is', '{"note":"Rückerstattung für «Zoë» 😀 ∑ 日本 דּ"}'],
  ['escapes', String.raw`"quote \" backslash \\ slash \/ / tab \t newline \n return \r backspace \b formfeed \f"`],
  ['controls as \\u00xx', String.raw`"nul? no: \u0001 \u0007 \u000b \u000e \u001f, del \u007f stays, \u0080 stays"`],
  ['line and paragraph separators stay', String.raw`"\u2028 and \u2029"`],
  ['non-ASCII escapes become characters', String.raw`"\u00e9 \u20ac \ud83d\ude00 \uFB33"`],
  ['lone surrogates stay escaped', String.raw`["\ud800","\udfff x","\ude00\ud83d","a\udbffb"]`],
  ['integers', '[0,1,-1,42,9007199254740991,-9007199254740991,100,1000000]'],
  ['integers beyond 2**53 are doubles', '[9007199254740992,9007199254740993,18014398509481985,123456789012345678901234567890]'],
  ['exponent boundaries', '[1e20,1e21,1e+21,1.2345e21,999999999999999900000,123456789012345680000]'],
  ['small numbers', '[0.000001,1e-6,0.0000001,1e-7,1.5e-7,-1e-7,2.5e-5,0.00001234]'],
  ['negative zero', '[-0,-0.0,0.0,-0e5]'],
  ['binary fractions', '[0.1,0.2,0.30000000000000004,0.3333333333333333,4.35,33.3,129.5,20.0,1.0e0]'],
  ['extremes', '[5e-324,2.2250738585072014e-308,1.7976931348623157e308,-1.7976931348623157e+308]'],
  ['exponent spellings', '[1E3,1e+2,2E-3,1e0,10e-1,0.1e1]'],
  ['RFC 8785 section 3.2.2 numbers', '[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001]'],
  [
    'RFC 8785 section 3.2.2 example',
    String.raw`{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}`,
  ],
  [
    'member names by UTF-16 code units',
    '{"\u20ac":1,"é":2,"😀":3,"\ufb33":4,"a_b":5,"a-b":6,"A":7,"":8,"\\r":9,"1":10,"10":11,"2":12,"aa":13,"a":14,"\\u0000x":15,"\\ud800":16}',
  ],
  [
    'RFC 8785 section 3.2.3 sorting',
    '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
  ],
  ['nested objects are sorted, arrays keep their order', '{"z":[{"b":1,"a":2},[3,{"d":4,"c":5}]],"y":{"y":{"b":null,"a":[]}},"x":"x"}'],
];

const payloadCases: [string, string, string][] = [
  ['a refund', 'process_refund', '{"order_id":"ORD-10492","amount_usd":129.5,"customer_tier":"standard"}'],
  ['no parameters', 'ping', '{}'],
  ['unicode and escapes', 'send_email', '{"to":"zoë@example.com","subject":"Rückerstattung «Zoë» 😀","body":"line 1\\nline 2\\t\\"quoted\\""}'],
  ['numbers', 'adjust', '{"big":9007199254740991,"tiny":1e-7,"huge":1e21,"sum":0.30000000000000004,"zero":-0,"whole":20.0}'],
  ['nested, unsorted', 'update_account', '{"z":{"b":[3,2,1],"a":{"y":true,"x":null}},"a":[{"k":"v"}],"é":1,"😀":2,"\\ufb33":3}'],
  ['an action name in unicode', 'überweisen', '{"iban":"DE89 3704 0044 0532 0130 00","betrag":12.5}'],
];

/** A fixed Ed25519 key from a label: PKCS#8 of SHA-256(label). Test keys: never trust them for anything else. */
function keyFrom(label: string): { key: SigningKey; pem: string; jwk: ReturnType<typeof publicJwkOf> } {
  const seed = createHash('sha256').update(`hitl python client test vectors: ${label}`).digest();
  const privateKey: KeyObject = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = publicJwkOf(privateKey);
  return { key: { kid: jwk.kid, privateKey }, pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), jwk };
}

const decisionId = '2b7e1c4d-8f3a-4e6b-9c1d-5a4b3c2d1e0f';
const approvalId = '7d6c5b4a-3e2f-4a1b-8c9d-0e1f2a3b4c5d';
const time = new Date('2026-12-04T12:00:00Z');
const parameters = { order_id: 'ORD-PY-7', amount_usd: 20.5, note: 'Rückerstattung für «Zoë» 😀' };
const edited = { ...parameters, amount_usd: 15 };

function proposalData(): DecisionProposedData {
  return {
    decision_id: decisionId,
    agent: { id: 'refund-bot', model: 'test-model' },
    on_behalf_of: 'customer:c-1',
    action: 'process_refund',
    parameters,
    confidence: 0.9,
    confidence_basis: 'matches the order history',
    uncertainty_factors: [],
    recommended_review: false,
    summary: 'Refund $20.50 to Zoë.',
  };
}

function resolutionData(over: Partial<ApprovalResolvedData>): ApprovalResolvedData {
  return {
    decision_id: decisionId,
    approval_id: null,
    status: 'approved',
    resolved_by: { kind: 'policy', id: 'refunds-manifest' },
    parameters,
    edited: false,
    reasons: [{ rule: 'auto_approve', detail: 'a small refund at high confidence' }],
    notes: null,
    chosen_option: null,
    manifest_version: 'sha256:3f1a9c',
    confidence: 0.9,
    action: 'process_refund',
    payload_hash: payloadHash('process_refund', parameters),
    ...over,
  };
}

/**
 * A callback as the gateway posts it (apps/gateway/src/callbacks/callback-dispatcher.service.ts):
 * the Standard Webhooks headers, signed by the `standardwebhooks` package with a secret from a
 * fixed seed. The body has non-ASCII characters: the signature covers its UTF-8 bytes.
 */
function webhookVector() {
  const secret = `whsec_${createHash('sha256').update('hitl python client test vectors: webhook secret').digest('base64')}`;
  const id = `msg_${decisionId}`;
  const body = JSON.stringify({
    type: 'hitl.decision.resolved',
    timestamp: time.toISOString(),
    data: { decision_id: decisionId, status: 'approved', note: 'Rückerstattung für «Zoë» 😀' },
  });
  const headers = {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(time.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, time, body),
  };
  return { secret, headers, body };
}

export function makeVectors() {
  const keys = { router: keyFrom('router'), escalation: keyFrom('escalation'), agent: keyFrom('agent refund-bot'), stranger: keyFrom('stranger') };
  const resolution = (id: string, data: ApprovalResolvedData, key: SigningKey) =>
    signEvent(newEvent(APPROVAL_RESOLVED, data, { source: 'hitl/test', workspaceid: 'acme-support', id, time }), key);
  const events = {
    proposal: signEvent(
      newEvent(DECISION_PROPOSED, proposalData(), {
        source: 'agent/refund-bot',
        workspaceid: 'acme-support',
        id: '0f1e2d3c-4b5a-4968-8776-655443322110',
        time,
      }),
      keys.agent.key,
    ),
    approved_by_policy: resolution('11111111-2222-4333-8444-555555555555', resolutionData({}), keys.router.key),
    edited_by_reviewer: resolution(
      '22222222-3333-4444-8555-666666666666',
      resolutionData({
        approval_id: approvalId,
        resolved_by: { kind: 'reviewer', id: 'rev-alice' },
        parameters: edited,
        edited: true,
        reasons: [{ rule: 'reviewer_edited', detail: 'approved by rev-alice with a smaller amount' }],
        notes: 'partial refund: the shipping was not charged',
        payload_hash: payloadHash('process_refund', edited),
      }),
      keys.escalation.key,
    ),
    denied_by_reviewer: resolution(
      '33333333-4444-4555-8666-777777777777',
      resolutionData({
        approval_id: approvalId,
        status: 'denied',
        resolved_by: { kind: 'reviewer', id: 'rev-bob' },
        reasons: [{ rule: 'reviewer_denied', detail: 'the order was already refunded' }],
      }),
      keys.escalation.key,
    ),
    approved_by_reviewer: resolution(
      '44444444-5555-4666-8777-888888888888',
      resolutionData({ approval_id: approvalId, resolved_by: { kind: 'reviewer', id: 'rev-alice' }, reasons: [{ rule: 'reviewer_approved', detail: 'ok' }] }),
      keys.escalation.key,
    ),
  };
  return {
    '//': 'Made by test/integration/python/vectors.ts from the TypeScript implementation; checked by vectors.int-spec.ts. The keys are test keys derived from fixed seeds: never trust them.',
    canonical: canonicalCases.map(([name, json]) => ({ name, json, canonical: canonicalize(JSON.parse(json)) as string })),
    payload_hash: payloadCases.map(([name, action, parameters]) => ({ name, action, parameters, payload_hash: payloadHash(action, JSON.parse(parameters)) })),
    keys: Object.fromEntries(Object.entries(keys).map(([name, k]) => [name, { kid: k.key.kid, pem: k.pem, jwk: k.jwk }])),
    jwks: { router: { keys: [keys.router.jwk] }, escalation: { keys: [keys.escalation.jwk] }, agent: { keys: [keys.agent.jwk] } },
    events: Object.fromEntries(Object.entries(events).map(([name, event]) => [name, { event, signing_input: signingInput(event).toString('utf8') }])),
    webhook: webhookVector(),
  };
}

/** The file's text: what makeVectors() gives, as JSON with two spaces and a final newline. */
export function vectorsText(): string {
  return `${JSON.stringify(makeVectors(), null, 2)}\n`;
}

if (require.main === module) {
  if (process.argv.includes('--write')) {
    writeFileSync(vectorsFile, vectorsText());
    console.log(`wrote ${vectorsFile}`);
  } else {
    process.stdout.write(vectorsText());
  }
}
