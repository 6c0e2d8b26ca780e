import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from './cli-context';
import { runCli } from './program';

// The command layer in-process: files come from a map, output goes to strings.
const root = join(__dirname, '../../..');
const seed = readFileSync(join(root, 'manifests/seed-004.yaml'), 'utf8');
const files: Record<string, string> = {
  'seed.yaml': seed,
  'tighter.yaml': seed.replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 25'),
  'restyled.yaml': `# same policy, other formatting\n${seed.replace('["primary_reviewer", "team_lead"]', '\n      - primary_reviewer\n      - team_lead')}`,
  'lenient.yaml': seed.replace('approval_timeout_seconds: 900', 'approval_timeout_seconds: 900\n    on_timeout: approve'),
  'refund.json': readFileSync(join(__dirname, '../test/fixtures/refund-decision.event.json'), 'utf8'),
  'bad-decision.json': readFileSync(join(__dirname, '../test/fixtures/invalid-refund-decision.data.json'), 'utf8'),
  // A manifest directory: the default, and acme-support's own (refunds under $500 go alone).
  'by-workspace/default.yaml': seed,
  'by-workspace/acme-support.yaml': seed
    .replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 500')
    .replace('always_approve_above_usd: 500', 'always_approve_above_usd: 1000'),
};
const directories = new Set(['by-workspace']);

async function run(...argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    io: { out: (text) => (out += text), err: (text) => (err += text) },
    readText: (path) => {
      if (directories.has(path)) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
      if (!(path in files)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      return files[path];
    },
    now: () => new Date('2026-11-22T09:00:00Z'),
  });
  return { code, out, err };
}

describe('hitl, in-process', () => {
  it.each<[string, string[], ExitCode, RegExp, RegExp]>([
    ['validate: a valid manifest', ['manifest', 'validate', 'seed.yaml'], 0, /^valid: 4 actions, version sha256:[0-9a-f]{64}\n$/, /^$/],
    [
      'validate: on_timeout approve on a refund',
      ['manifest', 'validate', 'lenient.yaml'],
      1,
      /^$/,
      /^invalid manifest lenient\.yaml: 1 issue\nactions\.process_refund\.on_timeout: approve is allowed only/,
    ],
    ['validate: a missing file', ['manifest', 'validate', 'nope.yaml'], 2, /^$/, /^hitl: cannot read manifest nope\.yaml: no such file\n$/],
    ['validate: no file given', ['manifest', 'validate'], 2, /^$/, /missing required argument 'file'/],
    [
      'explain: the clock defaults to now()',
      ['manifest', 'explain', 'seed.yaml', 'refund.json'],
      0,
      /evaluated at: +2026-11-22T09:00:00\.000Z\nverdict: +human_review\n/,
      /^$/,
    ],
    [
      'explain: --now pins the clock',
      ['manifest', 'explain', 'seed.yaml', 'refund.json', '--now', '2027-01-01T00:00:00+01:00'],
      0,
      /evaluated at: +2026-12-31T23:00:00\.000Z\n[^]*SLA deadline: +2026-12-31T23:15:00\.000Z/,
      /^$/,
    ],
    ['explain: --json', ['manifest', 'explain', '--json', 'seed.yaml', 'refund.json'], 0, /^\{\n {2}"verdict": "human_review",/, /^$/],
    [
      'explain: an invalid decision',
      ['manifest', 'explain', 'seed.yaml', 'bad-decision.json'],
      1,
      /^$/,
      /^invalid decision bad-decision\.json:\n {2}confidence: Too big/,
    ],
    ['explain: an invalid manifest', ['manifest', 'explain', 'lenient.yaml', 'refund.json'], 1, /^$/, /^invalid manifest lenient\.yaml/],
    [
      'explain: a missing decision file',
      ['manifest', 'explain', 'seed.yaml', 'nope.json'],
      2,
      /^$/,
      /^hitl: cannot read decision file nope\.json: no such file/,
    ],
    [
      'explain: a clock without a zone',
      ['manifest', 'explain', 'seed.yaml', 'refund.json', '--now', '2026-11-22T09:00:00'],
      2,
      /^$/,
      /'--now <iso>' argument '2026-11-22T09:00:00' is invalid/,
    ],
    [
      'diff: a changed field',
      ['manifest', 'diff', 'seed.yaml', 'tighter.yaml'],
      0,
      /actions\.process_refund\.conditions\.auto_approve_below_usd: 50 → 25\n/,
      /^$/,
    ],
    ['diff --exit-code: different', ['manifest', 'diff', '--exit-code', 'seed.yaml', 'tighter.yaml'], 3, /auto_approve_below_usd: 50 → 25/, /^$/],
    [
      'diff --exit-code: formatting only',
      ['manifest', 'diff', '--exit-code', 'seed.yaml', 'restyled.yaml'],
      0,
      /^no policy changes \(formatting only, same manifest version sha256:/,
      /^$/,
    ],
    [
      'diff: an invalid new manifest, named',
      ['manifest', 'diff', 'seed.yaml', 'lenient.yaml'],
      1,
      /^$/,
      /^invalid manifest lenient\.yaml: 1 issue\nactions\.process_refund\.on_timeout: /,
    ],
    ['diff: a missing old manifest', ['manifest', 'diff', 'nope.yaml', 'seed.yaml'], 2, /^$/, /cannot read manifest nope\.yaml/],
    ['--help', ['--help'], 0, /Usage: hitl .*\n[\s\S]*manifest +check, explain and compare action manifests/, /^$/],
    [
      'manifest --help lists the subcommands',
      ['manifest', '--help'],
      0,
      /validate \[options\] <file>[\s\S]*explain \[options\] <file> <decision>[\s\S]*diff \[options\] <old> <new>/,
      /^$/,
    ],
    ['an unknown command', ['frobnicate'], 2, /^$/, /unknown command 'frobnicate'/],
    // The refund event is for acme-support ($129.50): its own manifest approves it alone; the default asks a person.
    ['explain: a manifest directory, the event’s workspace', ['manifest', 'explain', 'by-workspace', 'refund.json'], 0, /verdict: +auto_approve\n/, /^$/],
    [
      'explain: a manifest directory, another workspace gets the default',
      ['manifest', 'explain', 'by-workspace', 'refund.json', '--workspace', 'globex'],
      0,
      /verdict: +human_review\n/,
      /^$/,
    ],
    ['validate: a workspace’s manifest in a directory', ['manifest', 'validate', 'by-workspace', '--workspace', 'acme-support'], 0, /^valid: 4 actions/, /^$/],
    ['validate: a directory without a default', ['manifest', 'validate', 'by-workspace-missing'], 2, /^$/, /cannot read manifest by-workspace-missing/],
  ])('%s', async (_name, argv, code, out, err) => {
    const result = await run(...argv);
    expect(result.out).toMatch(out);
    expect(result.err).toMatch(err);
    expect(result.code).toBe(code);
  });
});
