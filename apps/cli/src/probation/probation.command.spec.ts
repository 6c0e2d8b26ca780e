import { ExitCode } from '../cli-context';
import { json, runAgainst } from '../cli-run.test-support';
import { runCli } from '../program';
import { ProbationAnswer, formatProbation, probationState } from './probation.command';

const ID = '3b9c1d2e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const TOKEN = 'grace-0123456789abcdef';
const active: ProbationAnswer = {
  id: ID,
  workspace: 'acme-support',
  action: 'issue_voucher',
  reason: 'new to the manifest',
  manifest_version: '7',
  decisions: 20,
  approved_unchanged_rate: 0.95,
  started_at: '2026-12-01T09:00:00.000Z',
  state: 'active',
  reviewed: null,
  approved_unchanged: null,
  ended_by: null,
  end_reason: null,
  ended_at: null,
};
const ended: ProbationAnswer = {
  ...active,
  state: 'ended',
  ended_by: 'rev-grace',
  end_reason: 'the owner vouches for it',
  ended_at: '2026-12-04T12:00:00.000Z',
};
const graduated: ProbationAnswer = { ...active, id: 'p-2', state: 'graduated', reviewed: 21, approved_unchanged: 20, ended_at: '2026-12-03T09:00:00.000Z' };

const run = (argv: string[], reply: (url: string) => Response, env: Record<string, string> = { REVIEWER_TOKEN: TOKEN }) => runAgainst(argv, reply, env);

const LINE = `action issue_voucher in acme-support: active: every decision goes to a person until 20 reviewed decisions, 95% approved unchanged; on probation since 2026-12-01T09:00:00.000Z: "new to the manifest" (manifest 7, id ${ID})`;

describe('hitl probations', () => {
  it.each([
    [[], 'http://127.0.0.1:3002/probations?state=active'],
    [['--workspace', 'acme-support'], 'http://127.0.0.1:3002/probations?workspace=acme-support&state=active'],
    [['--workspace', 'acme-support', '--all'], 'http://127.0.0.1:3002/probations?workspace=acme-support&state=all'],
    [['--url', 'http://escalation.internal/hitl'], 'http://escalation.internal/hitl/probations?state=active'],
  ])('%j asks GET %s, with the token', async (flags, url) => {
    const result = await run(['probations', ...flags], json(200, { items: [] }));
    expect(result.calls).toEqual([{ url, method: 'GET', body: undefined, authorization: `Bearer ${TOKEN}` }]);
  });

  it('prints one line per probation', async () => {
    const result = await run(['probations'], json(200, { items: [active] }));
    expect([result.code, result.out, result.err]).toEqual([ExitCode.ok, `${LINE}\n`, '']);
  });

  it('--all: graduated and ended ones with how they came off', async () => {
    const result = await run(['probations', '--all'], json(200, { items: [ended, graduated] }));
    expect(result.out.split('\n')).toEqual([
      `action issue_voucher in acme-support: ended early by rev-grace at 2026-12-04T12:00:00.000Z: "the owner vouches for it"; on probation since 2026-12-01T09:00:00.000Z: "new to the manifest" (manifest 7, id ${ID})`,
      'action issue_voucher in acme-support: graduated at 2026-12-03T09:00:00.000Z (20 of 21 reviewed approved unchanged); on probation since 2026-12-01T09:00:00.000Z: "new to the manifest" (manifest 7, id p-2)',
      '',
    ]);
  });

  it.each([
    [[], 'no actions on probation\n'],
    [['--workspace', 'acme-support'], 'no actions on probation in acme-support\n'],
    [['--all'], 'no probations\n'],
  ])('%j with none: says so', async (flags, out) => {
    expect((await run(['probations', ...flags], json(200, { items: [] }))).out).toBe(out);
  });

  it('--json prints the probations as they came, fields this CLI does not know included', async () => {
    const result = await run(['probations', '--json'], json(200, { items: [{ ...active, owner: 'payments-team' }] }));
    expect(JSON.parse(result.out)).toEqual({ items: [{ ...active, owner: 'payments-team' }] });
  });

  it('a 403 of another workspace prints the code and message', async () => {
    const result = await run(
      ['probations', '--workspace', 'globex-billing'],
      json(403, { statusCode: 403, code: 'wrong_workspace', message: 'grace does not work in workspace globex-billing' }),
    );
    expect([result.code, result.err]).toEqual([
      ExitCode.usage,
      'hitl: the escalation service answered 403 wrong_workspace: grace does not work in workspace globex-billing\n',
    ]);
  });

  it('without a token: says where to put one', async () => {
    const result = await run(['probations'], json(200, { items: [] }), {});
    expect([result.code, result.err, result.calls]).toEqual([
      ExitCode.usage,
      'hitl: no reviewer token: set REVIEWER_TOKEN (or name another variable with --token-env), or pass --token\n',
      [],
    ]);
  });

  it('an answer that is not a list of probations: says so', async () => {
    const result = await run(['probations'], json(200, { items: [{ id: 'x' }] }));
    expect([result.code, result.err]).toEqual([
      ExitCode.usage,
      'hitl: http://127.0.0.1:3002 did not answer as the escalation service does (GET /probations)\n',
    ]);
  });

  it('cannot reach the service: says where it tried', async () => {
    let err = '';
    const code = await runCli(['probations'], {
      io: { out: () => undefined, err: (text) => (err += text) },
      readText: () => '',
      now: () => new Date(),
      env: { REVIEWER_TOKEN: TOKEN },
      fetch: async () => {
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      },
    });
    expect([code, err]).toEqual([ExitCode.usage, 'hitl: cannot reach the escalation service at http://127.0.0.1:3002: ECONNREFUSED\n']);
  });
});

describe('hitl end-probation', () => {
  it('POST /probations/:id/end with the reason; says what follows the manifest again', async () => {
    const result = await run(['end-probation', ID, '--reason', 'the owner vouches for it'], json(200, ended));
    expect(result.calls).toEqual([
      { url: `http://127.0.0.1:3002/probations/${ID}/end`, method: 'POST', body: { reason: 'the owner vouches for it' }, authorization: `Bearer ${TOKEN}` },
    ]);
    expect(result.out.split('\n')).toEqual([
      'ended the probation of action issue_voucher in acme-support: its decisions follow the manifest again once the router reads it',
      `  ${formatProbation(ended)}`,
      '',
    ]);
    expect([result.code, result.err]).toEqual([ExitCode.ok, '']);
  });

  it('never echoes the token, from the environment or a flag', async () => {
    const result = await run(
      ['end-probation', ID, '--reason', 'the owner vouches for it', '--token-env', 'MY_TOKEN', '--url', 'http://escalation.internal/hitl'],
      json(200, ended),
      { MY_TOKEN: 'secret-token' },
    );
    expect(result.calls[0]).toMatchObject({ url: `http://escalation.internal/hitl/probations/${ID}/end`, authorization: 'Bearer secret-token' });
    expect(result.out + result.err).not.toContain('secret-token');
  });

  it.each([
    [403, 'not_admin', 'alice is not an admin: only an admin may end a probation early'],
    [403, 'wrong_workspace', 'gwen is not an admin of workspace acme-support'],
    [404, 'probation_not_found', `no probation ${ID}`],
    [409, 'already_over', `probation ${ID} (action issue_voucher) graduated at 2026-12-03T09:00:00.000Z: it is over`],
  ])('a %s prints %s with the message and exits non-zero', async (status, code, message) => {
    const result = await run(['end-probation', ID, '--reason', 'the owner vouches for it'], json(status, { statusCode: status, code, message }));
    expect([result.code, result.out, result.err]).toEqual([ExitCode.usage, '', `hitl: the escalation service answered ${status} ${code}: ${message}\n`]);
  });

  it('a 400 names each field refused, and exits 1', async () => {
    const result = await run(
      ['end-probation', ID, '--reason', 'ok'],
      json(400, {
        statusCode: 400,
        code: 'invalid_request',
        message: 'invalid body',
        issues: [{ field: 'reason', message: 'must be at least 3 characters: say why' }],
      }),
    );
    expect([result.code, result.err]).toEqual([
      ExitCode.invalid,
      'hitl: the escalation service answered 400 invalid_request: invalid body\n  reason: must be at least 3 characters: say why\n',
    ]);
  });

  it.each([
    ['no reason', ['end-probation', ID], /required option '--reason <text>' not specified/],
    ['a blank reason', ['end-probation', ID, '--reason', '  '], /--reason must not be empty/],
    ['no id', ['end-probation', '--reason', 'the owner vouches for it'], /missing required argument 'probation-id'/],
  ])('%s: refused before anything is sent', async (_, argv, message) => {
    const result = await run(argv, json(200, ended));
    expect(result.calls).toEqual([]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.err).toMatch(message);
  });

  it('without a token: says an admin’s is needed', async () => {
    const result = await run(['end-probation', ID, '--reason', 'the owner vouches for it'], json(200, ended), {});
    expect([result.code, result.err, result.calls]).toEqual([
      ExitCode.usage,
      'hitl: no admin reviewer token: set REVIEWER_TOKEN (or name another variable with --token-env), or pass --token\n',
      [],
    ]);
  });

  it('an id with a slash stays one path segment', async () => {
    const result = await run(['end-probation', '../keys', '--reason', 'the owner vouches for it'], json(404, { code: 'probation_not_found', message: 'no' }));
    expect(result.calls[0].url).toBe('http://127.0.0.1:3002/probations/..%2Fkeys/end');
  });
});

describe('probationState', () => {
  it.each([
    [active, 'active: every decision goes to a person until 20 reviewed decisions, 95% approved unchanged'],
    [{ ...active, approved_unchanged_rate: 0.875 }, 'active: every decision goes to a person until 20 reviewed decisions, 87.5% approved unchanged'],
    [graduated, 'graduated at 2026-12-03T09:00:00.000Z (20 of 21 reviewed approved unchanged)'],
    [{ ...ended, end_reason: 'owner\nsaid so' }, 'ended early by rev-grace at 2026-12-04T12:00:00.000Z: "owner\\nsaid so"'],
  ])('%#: %s', (probation, words) => expect(probationState(probation)).toBe(words));
});
