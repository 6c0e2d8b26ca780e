// examples/shell-client/propose.sh builds and signs its message with bash and openssl
// alone: what it would send (PRINT_ONLY=1, so no broker and no kcat) must decode against
// the contract and verify as the router verifies it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Keyring, Topics, decodeEvent, generateSigningKey, signingInput } from '@hitl/contracts';
import canonicalize from 'canonicalize';

const script = resolve(__dirname, '../../../examples/shell-client/propose.sh');

describe('examples/shell-client/propose.sh', () => {
  let dir: string;
  const shellBot = generateSigningKey();
  const keyring = new Keyring({ agents: [{ id: 'shell-bot', workspaces: ['acme-support'], keys: { keys: [shellBot.jwk] } }], unsignedWorkspaces: ['sandbox'] });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hitl-shell-'));
    writeFileSync(join(dir, 'shell-bot.key.pem'), shellBot.pem, { mode: 0o600 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const propose = (key: string, ...args: string[]) =>
    spawnSync('bash', [script, ...args], { encoding: 'utf8', env: { ...process.env, PRINT_ONLY: '1', AGENT_KEY: key } });

  function decoded(stdout: string) {
    const result = decodeEvent(Topics.DecisionProposed, stdout.trim());
    if (!result.ok) throw new Error(result.violation.message);
    return result;
  }

  it.each([
    ['process_refund', '20', '0.9'],
    ['process_refund', '19.5', '1'],
    ['issue_goodwill_credit', '0', '0.000001'],
  ])('signs %s %s %s as shell-bot in acme-support, over the canonical JSON it wrote', (...args) => {
    const run = propose(join(dir, 'shell-bot.key.pem'), ...args);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { raw, event } = decoded(run.stdout);
    expect(event).toMatchObject({
      workspaceid: 'acme-support',
      sigkid: shellBot.jwk.kid,
      data: { agent: { id: 'shell-bot' }, action: args[0], parameters: { amount_usd: Number(args[1]) }, confidence: Number(args[2]) },
    });
    // The bytes before `sig` are already canonical: the script's JSON is what canonicalize makes.
    const { sig: _sig, ...unsigned } = raw;
    expect(run.stdout.trim().replace(/,"sig":"[^"]+"\}$/, '}')).toBe(canonicalize(unsigned));
    expect(signingInput(raw).toString('utf8')).toBe(canonicalize(unsigned));
    expect(keyring.verify(raw, event)).toEqual({ ok: true, signer: { kind: 'agent', id: 'shell-bot', workspaces: ['acme-support'] }, kid: shellBot.jwk.kid });
  });

  it('a message changed after signing no longer verifies', () => {
    const run = propose(join(dir, 'shell-bot.key.pem'), 'process_refund', '20', '0.9');
    const { raw, event } = decoded(run.stdout.replace('"amount_usd":20', '"amount_usd":2000'));
    expect(keyring.verify(raw, event)).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('without a key, proposes unsigned in the sandbox workspace, which admits it', () => {
    const run = propose(join(dir, 'missing.key.pem'), 'process_refund', '20', '0.9');
    expect(run.stderr).toMatch(/no signing key at .*missing\.key\.pem: proposing unsigned in the sandbox workspace/);
    expect(run.status).toBe(0);
    const { raw, event } = decoded(run.stdout);
    expect(raw).not.toHaveProperty('sig');
    expect(raw).not.toHaveProperty('sigkid');
    expect(event.workspaceid).toBe('sandbox');
    expect(keyring.verify(raw, event)).toEqual({ ok: true, signer: null, kid: null });
  });

  it.each([
    ['an amount not as JavaScript prints it', ['process_refund', '20.50', '0.9'], /AMOUNT_USD must be a plain number/],
    ['an exponent', ['process_refund', '2e1', '0.9'], /AMOUNT_USD/],
    ['a confidence above 1', ['process_refund', '20', '1.5'], /CONFIDENCE must be/],
    ['an action that would need escaping', ['process"refund', '20', '0.9'], /ACTION must be/],
  ])('refuses %s (exit 2)', (_name, args, message) => {
    const run = propose(join(dir, 'shell-bot.key.pem'), ...args);
    expect(run.stderr).toMatch(message);
    expect(run.status).toBe(2);
  });
});
