import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode } from '../cli-context';
import { runCli } from '../program';

const MANIFEST = readFileSync(resolve(__dirname, '../../../../manifests/refunds.yaml'), 'utf8');

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
    // The services' Kafka variables, read as they read them.
    [
      'a Kafka password file that cannot be read',
      ['check', '--manifest', 'm.yaml'],
      { AUDITOR_TOKEN: 't', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'hitl-operator', KAFKA_SASL_PASSWORD_FILE: '/nonexistent/pw' },
      { 'm.yaml': MANIFEST },
      /^hitl: invalid configuration: KAFKA_SASL_PASSWORD_FILE: cannot read \/nonexistent\/pw: no such file/,
    ],
    [
      'a Kafka password in the environment',
      ['check', '--manifest', 'm.yaml'],
      { AUDITOR_TOKEN: 't', KAFKA_SASL_PASSWORD: 'secret' },
      { 'm.yaml': MANIFEST },
      /^hitl: invalid configuration: KAFKA_SASL_PASSWORD: is not read/,
    ],
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
