import { ExitCode } from '../cli-context';
import { runCli } from '../program';

// The command's own refusals, before it reads anything of a run.
async function run(argv: string[], env: Record<string, string> = {}, files: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    io: { out: (text) => (out += text), err: (text) => (err += text) },
    readText: (path) => {
      if (!(path in files)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return files[path];
    },
    now: () => new Date('2026-11-22T09:00:00Z'),
    env,
  });
  return { code, out, err };
}

describe('hitl check', () => {
  it.each<[string, string[], Record<string, string>, Record<string, string>, RegExp]>([
    ['no auditor token', ['check'], {}, {}, /no auditor token: set AUDITOR_TOKEN/],
    ['a manifest that cannot be read', ['check', '--manifest', 'nope.yaml'], { AUDITOR_TOKEN: 't' }, {}, /cannot read manifest nope\.yaml: no such file/],
    ['an invalid manifest', ['check', '--manifest', 'bad.yaml'], { AUDITOR_TOKEN: 't' }, { 'bad.yaml': 'actions: 3\n' }, /invalid manifest bad\.yaml/],
    ['an audit URL that is not one', ['check', '--audit-url', 'ftp://x'], { AUDITOR_TOKEN: 't' }, {}, /expected an http\(s\) URL/],
  ])('exits 2 on %s', async (_name, argv, env, files, message) => {
    const result = await run(argv, env, files);
    expect(result.err).toMatch(message);
    expect(result.code).toBe(ExitCode.usage);
  });

  it('is listed in hitl --help', async () => {
    const result = await run(['--help']);
    expect(result.out).toMatch(/check \[options\] +check the invariants of a drained run/);
  });
});
