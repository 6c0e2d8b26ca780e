import { ExitCode } from '../cli-context';
import { runCli } from '../program';

const ok = { workspace: 'acme-support', ok: true, checked: 12, head: { chain_index: 12, hash: `sha256:${'a'.repeat(64)}` }, first_break: null };
const broken = {
  workspace: 'globex',
  ok: false,
  checked: 3,
  head: { chain_index: 2, hash: `sha256:${'b'.repeat(64)}` },
  first_break: { workspace: 'globex', chain_index: 3, event_id: 'evt-3', seq: '40', reason: 'the row was changed after it was written' },
};

interface Call {
  url: string;
  authorization: string | null;
}

/** The command in-process, with the service answered by `reply` and the environment given. */
async function run(argv: string[], reply: () => Response | Promise<Response>, env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const calls: Call[] = [];
  const code = await runCli(argv, {
    io: { out: (text) => (out += text), err: (text) => (err += text) },
    readText: () => '',
    now: () => new Date('2026-11-22T09:00:00Z'),
    env,
    fetch: async (input, init) => {
      calls.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
      return reply();
    },
  });
  return { code, out, err, calls };
}

const json = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('hitl audit verify', () => {
  it('exits 0 when every chain verifies, with the token from AUDITOR_TOKEN', async () => {
    const result = await run(['audit', 'verify'], json(200, { ok: true, workspaces: [ok] }), { AUDITOR_TOKEN: 'tok-0123456789abcdef' });
    expect(result.out).toBe(`acme-support: ok, 12 rows checked, head at chain index 12 sha256:${'a'.repeat(64)}\n`);
    expect(result.calls).toEqual([{ url: 'http://127.0.0.1:3003/audit/verify', authorization: 'Bearer tok-0123456789abcdef' }]);
    expect(result.code).toBe(ExitCode.ok);
  });

  it('asks about one workspace at the URL given, with --token or another variable', async () => {
    const viaOption = await run(
      ['audit', 'verify', '--workspace', 'acme-support', '--url', 'http://audit.internal:8080/', '--token', 'opt-token'],
      json(200, { ok: true, workspaces: [ok] }),
    );
    expect(viaOption.calls).toEqual([{ url: 'http://audit.internal:8080/audit/verify?workspace=acme-support', authorization: 'Bearer opt-token' }]);
    const viaEnv = await run(['audit', 'verify', '--token-env', 'MY_AUDIT_TOKEN'], json(200, { ok: true, workspaces: [ok] }), { MY_AUDIT_TOKEN: 'env-token' });
    expect(viaEnv.calls[0].authorization).toBe('Bearer env-token');
  });

  it('exits 1 on a broken chain, printing the first broken link', async () => {
    const result = await run(['audit', 'verify', '--token', 't'], json(200, { ok: false, workspaces: [ok, broken] }));
    expect(result.out).toContain('globex: BROKEN at chain index 3 after 3 rows\n');
    expect(result.err).toBe(
      [
        'first broken link:',
        '  workspace:   globex',
        '  chain index: 3',
        '  event id:    evt-3',
        '  reason:      the row was changed after it was written',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(ExitCode.invalid);
  });

  it.each<[string, string[], () => Response | Promise<Response>, RegExp]>([
    ['no token anywhere', [], json(200, {}), /no auditor token: set AUDITOR_TOKEN/],
    [
      'a token the service does not know',
      ['--token', 't'],
      json(401, { statusCode: 401, code: 'token_unknown', message: 'unknown auditor token' }),
      /answered 401 token_unknown: unknown auditor token/,
    ],
    [
      'a workspace out of scope',
      ['--token', 't', '--workspace', 'globex'],
      json(403, { message: 'you may not read workspace globex' }),
      /answered 403: you may not read workspace globex/,
    ],
    [
      'a service that is not there',
      ['--token', 't'],
      () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })),
      /cannot reach the audit service at http:\/\/127\.0\.0\.1:3003: ECONNREFUSED/,
    ],
    ['something else answering', ['--token', 't'], () => new Response('<html>hi</html>', { status: 200 }), /did not answer as an audit service does/],
    ['a URL that is not one', ['--token', 't', '--url', 'ftp://x'], json(200, {}), /expected an http\(s\) URL/],
  ])('exits 2 on %s', async (_name, args, reply, message) => {
    const result = await run(['audit', 'verify', ...args], reply);
    expect(result.err).toMatch(message);
    expect(result.code).toBe(ExitCode.usage);
  });

  it('prints the answer as JSON with --json', async () => {
    const result = await run(['audit', 'verify', '--token', 't', '--json'], json(200, { ok: true, workspaces: [ok] }));
    expect(JSON.parse(result.out)).toEqual({ ok: true, workspaces: [ok] });
  });

  it('is listed in hitl --help', async () => {
    const result = await run(['--help'], json(200, {}));
    expect(result.out).toMatch(/audit +check the audit record of a running audit service/);
  });
});
