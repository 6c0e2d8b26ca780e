// The Python client's test vectors (clients/python/tests/vectors/vectors.json) are the
// TypeScript implementation's: made again here, in memory, they are the committed file byte
// for byte. When the contract's canonical JSON, payload hash or signatures change, write
// them again (node -r @swc-node/register test/integration/python/vectors.ts --write) and the
// Python tests (client.int-spec.ts) say whether the client still agrees.
import { readFileSync } from 'node:fs';
import { APPROVAL_RESOLVED, DECISION_PROPOSED, Keyring, decodeEvent, payloadHash, topicOf, useEd25519Backend } from '@hitl/contracts';
import { makeVectors, vectorsFile, vectorsText } from './vectors';

describe('the Python client’s test vectors (clients/python/tests/vectors/vectors.json)', () => {
  afterEach(() => useEd25519Backend(undefined));

  it('are what the TypeScript implementation makes (node -r @swc-node/register test/integration/python/vectors.ts --write)', () => {
    expect(readFileSync(vectorsFile, 'utf8')).toBe(vectorsText());
  });

  it('are the same with either Ed25519 backend (libsodium, OpenSSL)', () => {
    useEd25519Backend('openssl');
    const byOpenSsl = vectorsText();
    useEd25519Backend('libsodium');
    expect(vectorsText()).toBe(byOpenSsl);
  });

  it('hold contract events that decode, verify with the keyring and carry the right payload_hash', () => {
    const vectors = makeVectors();
    const keyring = new Keyring({
      services: { router: vectors.jwks.router, escalation: vectors.jwks.escalation },
      agents: [{ id: 'refund-bot', workspaces: ['acme-support'], keys: vectors.jwks.agent }],
    });
    for (const [name, { event }] of Object.entries(vectors.events)) {
      const decoded = decodeEvent(topicOf(event.type), JSON.stringify(event));
      if (!decoded.ok) throw new Error(`${name}: ${decoded.violation.message}`);
      expect([name, keyring.verify(decoded.raw, decoded.event)]).toMatchObject([name, { ok: true }]);
      expect([DECISION_PROPOSED, APPROVAL_RESOLVED]).toContain(event.type);
      const data = event.data as { action: string; parameters: Record<string, unknown>; payload_hash?: string };
      if (data.payload_hash !== undefined) expect(payloadHash(data.action, data.parameters)).toBe(data.payload_hash);
    }
  });

  it('cover the awkward values: unicode, escapes, 1e21, 1e-7, -0, 0.1 + 0.2, integers near 2**53, UTF-16 ordering', () => {
    const texts = makeVectors()
      .canonical.map((c) => c.json)
      .join(' ');
    for (const needle of ['😀', '\\u001f', '\\ud800', '1e21', '1e-7', '-0', '0.30000000000000004', '9007199254740991', '\ufb33'])
      expect(texts).toContain(needle);
  });
});
