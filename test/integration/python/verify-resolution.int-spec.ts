// examples/python/verify_resolution.py, the README's check for executors in Python, on a
// real approval.resolved: the router (its own process, on the real broker and database) routes a
// signed proposal, and the script verifies what came off the topic with the JWKS the
// router serves at GET /keys; a tampered copy, a key it does not publish, or the wrong
// service's authority are refused. Needs python3 with `cryptography` (CI installs Debian's).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { APPROVAL_RESOLVED, DECISION_PROPOSED, exampleEvent, generateSigningKey, newEvent, signEvent } from '@hitl/contracts';
import canonicalize from 'canonicalize';
import { eventually, readWholeTopic, sendMessages, signed, testTrust } from '@hitl/testing';
import { Stack, root } from '../support/stack';

const script = resolve(root, 'examples/python/verify_resolution.py');

function python(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('python3', args, { encoding: 'utf8', input });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the Python verifier of approval.resolved (examples/python/verify_resolution.py)', () => {
  const stack = new Stack();
  const { kafka, prefix } = stack;
  let dir: string;
  let routerJwks: string;
  let resolutionFile: string;
  let resolution: Record<string, any>;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    const ready = python(['-c', 'import cryptography']);
    if (ready.status !== 0) throw new Error(`python3 with cryptography is needed (Debian: apt-get install python3-cryptography): ${ready.stderr}`);
    dir = mkdtempSync(join(tmpdir(), 'hitl-pyverify-'));
    await stack.start(['router']);
    // What anyone can fetch: the router's published keys.
    const keys = await fetch(`${stack.urls.router}/keys`);
    expect(keys.status).toBe(200);
    routerJwks = file('router.jwks.json', await keys.text());

    // A $20 refund at high confidence: the refunds manifest approves it by policy, so the router signs the resolution.
    const decisionId = randomUUID();
    const proposal = newEvent(
      DECISION_PROPOSED,
      {
        decision_id: decisionId,
        agent: { id: 'refund-bot', model: 'test-model' },
        on_behalf_of: 'customer:c-1',
        action: 'process_refund',
        parameters: { order_id: 'ORD-PY-1', amount_usd: 20.5, note: 'Rückerstattung für «Zoë» 😀' },
        confidence: 0.99,
        confidence_basis: 'matches the order history',
        uncertainty_factors: [],
        recommended_review: false,
        summary: 'Refund €20.50 to Zoë.',
      },
      { source: 'agent/refund-bot', workspaceid: 'acme-support' },
    );
    await sendMessages(kafka, [{ topic: `${prefix}decision.proposed`, key: decisionId, value: JSON.stringify(signed(proposal)) }]);
    const found = await eventually(
      `the approval.resolved of ${decisionId}`,
      async () => (await readWholeTopic(kafka, `${prefix}approval.resolved`).catch(() => [])).find((m) => m.key?.toString() === decisionId),
      { timeoutMs: 60_000, everyMs: 250 },
    );
    // The bytes exactly as they came off the topic.
    resolutionFile = file('resolution.json', found.value!.toString('utf8'));
    resolution = JSON.parse(found.value!.toString('utf8'));
  });

  afterAll(async () => {
    await stack.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('verifies the router’s resolution with the JWKS of GET /keys (exit 0)', () => {
    expect(resolution).toMatchObject({ type: APPROVAL_RESOLVED, data: { status: 'approved', resolved_by: { kind: 'policy' } } });
    const run = python([script, resolutionFile, routerJwks]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `verified: decision ${resolution.data.decision_id} approved by policy ${resolution.data.resolved_by.id}, payload_hash ${resolution.data.payload_hash}, signed with key ${resolution.sigkid}\n`,
    );
    expect(run.status).toBe(0);
  });

  it('checks who signs a resolution when the keys are named by service', () => {
    expect(python([script, resolutionFile, `router=${routerJwks}`]).status).toBe(0);
    const wrongAuthority = python([script, resolutionFile, `escalation=${routerJwks}`]);
    expect(wrongAuthority.stderr).toBe('NOT verified: resolved by policy: it must be signed by the router service, not the escalation\n');
    expect(wrongAuthority.status).toBe(1);
  });

  it('reads the resolution from standard input (a kcat pipe)', () => {
    const run = python([script, '-', routerJwks], JSON.stringify(resolution));
    expect(run.status).toBe(0);
  });

  it.each<[string, (r: Record<string, any>) => void, RegExp]>([
    ['another amount', (r) => (r.data.parameters.amount_usd = 2000), /^NOT verified: the signature does not verify with key /],
    ['another payload_hash', (r) => (r.data.payload_hash = `sha256:${'0'.repeat(64)}`), /does not verify/],
    ['the approval turned into a denial', (r) => (r.data.status = 'denied'), /does not verify/],
    ['another workspace', (r) => (r.workspaceid = 'globex'), /does not verify/],
    ['the signature removed', (r) => delete r.sig, /sigkid and sig must both be strings/],
    ['no signature at all', (r) => (delete r.sig, delete r.sigkid), /unsigned: an approval\.resolved must carry sigkid and sig/],
    ['a kid the router does not publish', (r) => (r.sigkid = 'someone-else'), /key someone-else is not among the trusted keys/],
  ])('refuses a tampered copy: %s (exit 1)', (_name, tamper, message) => {
    const copy = structuredClone(resolution);
    tamper(copy);
    const run = python([script, file(`tampered-${randomUUID()}.json`, JSON.stringify(copy)), routerJwks]);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(1);
  });

  it('refuses a resolution signed with a key the JWKS does not hold, under the router’s kid', () => {
    const forger = generateSigningKey();
    const { sig: _sig, sigkid: _kid, ...unsigned } = resolution;
    const forged = signEvent(unsigned, { kid: resolution.sigkid as string, privateKey: forger.key.privateKey });
    const run = python([script, file('forged.json', JSON.stringify(forged)), routerJwks]);
    expect(run.stderr).toMatch(/does not verify with key/);
    expect(run.status).toBe(1);
  });

  it('canonicalizes as RFC 8785 does: a resolution with awkward strings, names and numbers verifies', () => {
    const event = exampleEvent(APPROVAL_RESOLVED);
    event.data.resolved_by = { kind: 'policy', id: 'manifest' };
    const awkward = {
      ...event,
      data: {
        ...event.data,
        parameters: { amount_usd: 1e21, tiny: 1.5e-7, third: 1 / 3, big: 2 ** 53 + 2, zero: -0, cents: 4.35, whole: 20.0 },
        notes: 'quote " backslash \\ tab \t newline \n bell \u0007 del \u007f line sep \u2028 é 😀 דּ',
        extra: { '\u20ac': 1, é: 2, '😀': 3, '\ufb33': 4, a_b: 5, 'a-b': 6, A: 7, '': 8 },
      },
    };
    const signedAwkward = signEvent(awkward, testTrust().key('router'));
    const text = JSON.stringify(signedAwkward);
    const run = python([script, file('awkward.json', text), `router=${routerJwks}`]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // And the canonical text itself, byte for byte against the library the services sign with.
    const { sig: _sig, ...unsigned } = JSON.parse(text);
    const canonical = python(
      [
        '-c',
        `import json,sys; sys.path.insert(0, ${JSON.stringify(resolve(root, 'examples/python'))}); from verify_resolution import canonical_json; sys.stdout.write(canonical_json(json.load(sys.stdin)))`,
      ],
      text.replace(/,"sig":"[^"]+"/, ''),
    );
    expect(canonical.stdout).toBe(canonicalize(unsigned));
  });

  it.each<[string, string[], RegExp]>([
    ['no arguments', [], /verify_resolution\.py RESOLUTION\.json JWKS\.json/],
    ['a missing resolution', ['/nonexistent/resolution.json', '/dev/null'], /cannot read the resolution/],
    ['a key file that is not a JWKS', ['RESOLUTION', 'NOT_JWKS'], /cannot read the keys .*not a JWKS/],
  ])('exits 2 on %s', (_name, args, message) => {
    const argv = args.map((a) => (a === 'RESOLUTION' ? resolutionFile : a === 'NOT_JWKS' ? file('not-jwks.json', '{"kty":"OKP"}') : a));
    const run = python([script, ...argv]);
    expect(run.stderr).toMatch(message);
    expect(run.status).toBe(2);
  });
});
