import { ExitCode } from '../cli-context';
import { json, runAgainst } from '../cli-run.test-support';
import { runCli } from '../program';
import { PauseAnswer, formatPause, pauseScope } from './pause.command';

const ID = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const TOKEN = 'grace-0123456789abcdef';
const pause: PauseAnswer = {
  id: ID,
  workspace: 'acme-support',
  agent_id: 'refund-bot',
  action: null,
  effect: 'review',
  reason: 'refunds doubled since the 10:00 deploy',
  paused_by: 'rev-grace',
  paused_at: '2026-12-04T10:02:00.000Z',
  resumed_by: null,
  resumed_at: null,
  resume_reason: null,
};
const resumed: PauseAnswer = {
  ...pause,
  resumed_by: 'rev-grace',
  resumed_at: '2026-12-04T11:30:00.000Z',
  resume_reason: 'rolled back the deploy',
};

const run = (argv: string[], reply: (url: string) => Response, env: Record<string, string> = { REVIEWER_TOKEN: TOKEN }) => runAgainst(argv, reply, env);

const LINE = `agent refund-bot in acme-support: review (new proposals it covers go to a person), paused by rev-grace since 2026-12-04T10:02:00.000Z: "refunds doubled since the 10:00 deploy" (id ${ID})`;

describe('hitl pause', () => {
  it.each([
    [
      'one agent, sent to a person',
      ['--agent', 'refund-bot'],
      { agent_id: 'refund-bot', effect: 'review' },
      { agent_id: 'refund-bot', action: null, effect: 'review' },
      'paused agent refund-bot in acme-support: new proposals it covers go to a person until it is resumed; none is auto-approved',
    ],
    [
      'one action, blocked',
      ['--action', 'process_refund', '--block'],
      { action: 'process_refund', effect: 'block' },
      { agent_id: null, action: 'process_refund', effect: 'block' },
      'paused action process_refund in acme-support: new proposals it covers are blocked until it is resumed; none is auto-approved',
    ],
    [
      'one action of one agent',
      ['--agent', 'refund-bot', '--action', 'process_refund'],
      { agent_id: 'refund-bot', action: 'process_refund', effect: 'review' },
      { agent_id: 'refund-bot', action: 'process_refund', effect: 'review' },
      'paused action process_refund of agent refund-bot in acme-support: new proposals it covers go to a person until it is resumed; none is auto-approved',
    ],
    [
      'the whole workspace',
      [],
      { effect: 'review' },
      { agent_id: null, action: null, effect: 'review' },
      'paused the whole workspace acme-support (every agent, every action): new proposals it covers go to a person until it is resumed; none is auto-approved',
    ],
  ] as const)('%s: POST /pauses with the scope, the effect and the reason; says what is paused', async (_, flags, sent, answered, first) => {
    const result = await run(
      ['pause', '--workspace', 'acme-support', ...flags, '--reason', 'refunds doubled since the 10:00 deploy'],
      json(201, { ...pause, ...answered }),
    );
    expect(result.calls).toEqual([
      {
        url: 'http://127.0.0.1:3002/pauses',
        method: 'POST',
        body: { workspace: 'acme-support', ...sent, reason: 'refunds doubled since the 10:00 deploy' },
        authorization: `Bearer ${TOKEN}`,
      },
    ]);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe(first);
    expect(lines[1]).toBe(`  ${formatPause({ ...pause, ...answered })}`);
    expect(lines[2]).toBe(`resume it with: hitl resume ${ID} --reason "…"`);
    expect([result.code, result.err]).toEqual([ExitCode.ok, '']);
  });

  it('never echoes the token, from the environment or a flag', async () => {
    const result = await run(
      ['pause', '--workspace', 'acme-support', '--reason', 'r', '--token-env', 'MY_TOKEN', '--url', 'http://escalation.internal/hitl'],
      json(201, pause),
      { MY_TOKEN: 'secret-token' },
    );
    expect(result.calls[0]).toMatchObject({ url: 'http://escalation.internal/hitl/pauses', authorization: 'Bearer secret-token' });
    expect(result.out + result.err).not.toContain('secret-token');
  });

  it('a 403 prints the API’s code and message and exits non-zero', async () => {
    const result = await run(
      ['pause', '--workspace', 'acme-support', '--agent', 'refund-bot', '--reason', 'r'],
      json(403, { statusCode: 403, code: 'not_admin', message: 'only admins pause agents' }),
      { REVIEWER_TOKEN: 'alice-token' },
    );
    expect([result.code, result.out, result.err]).toEqual([
      ExitCode.usage,
      '',
      'hitl: the escalation service answered 403 not_admin: only admins pause agents\n',
    ]);
  });

  it.each([
    ['no reason', ['pause', '--workspace', 'acme-support'], /required option '--reason <text>' not specified/],
    ['a blank reason', ['pause', '--workspace', 'acme-support', '--reason', '  '], /--reason must not be empty/],
    ['no workspace', ['pause', '--reason', 'r'], /required option '--workspace <id>' not specified/],
  ])('%s: refused before anything is sent', async (_, argv, message) => {
    const result = await run(argv, json(201, pause));
    expect(result.calls).toEqual([]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.err).toMatch(message);
  });

  it('without a token: says where to put one', async () => {
    const result = await run(['pause', '--workspace', 'acme-support', '--reason', 'r'], json(201, pause), {});
    expect([result.code, result.err, result.calls]).toEqual([
      ExitCode.usage,
      'hitl: no admin reviewer token: set REVIEWER_TOKEN (or name another variable with --token-env), or pass --token\n',
      [],
    ]);
  });

  it('an answer that is not a pause: says so', async () => {
    const result = await run(['pause', '--workspace', 'acme-support', '--reason', 'r'], json(201, { ok: true }));
    expect([result.code, result.err]).toEqual([ExitCode.usage, 'hitl: http://127.0.0.1:3002 did not answer as the escalation service does (POST /pauses)\n']);
  });
});

describe('hitl resume', () => {
  it('POST /pauses/:id/resume with the reason; says what follows the manifest again', async () => {
    const result = await run(['resume', ID, '--reason', 'rolled back the deploy'], json(200, resumed));
    expect(result.calls).toEqual([
      { url: `http://127.0.0.1:3002/pauses/${ID}/resume`, method: 'POST', body: { reason: 'rolled back the deploy' }, authorization: `Bearer ${TOKEN}` },
    ]);
    expect(result.out.split('\n')).toEqual([
      'resumed agent refund-bot in acme-support: new proposals it covered follow the manifest again',
      `  ${LINE}; resumed by rev-grace at 2026-12-04T11:30:00.000Z: "rolled back the deploy"`,
      '',
    ]);
    expect(result.code).toBe(ExitCode.ok);
  });

  it.each([
    [409, 'already_resumed', `pause ${ID} was resumed at 2026-12-04T11:30:00.000Z`, ExitCode.usage],
    [404, 'pause_not_found', `no pause ${ID}`, ExitCode.usage],
  ])('a %s prints %s with the message and exits non-zero', async (status, code, message, exit) => {
    const result = await run(['resume', ID, '--reason', 'again'], json(status, { statusCode: status, code, message }));
    expect([result.code, result.out, result.err]).toEqual([exit, '', `hitl: the escalation service answered ${status} ${code}: ${message}\n`]);
  });

  it('a 400 names each field refused, and exits 1', async () => {
    const result = await run(
      ['resume', ID, '--reason', 'ok'],
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

  it('needs a reason', async () => {
    const result = await run(['resume', ID], json(200, resumed));
    expect([result.code, result.calls]).toEqual([ExitCode.usage, []]);
    expect(result.err).toMatch(/required option '--reason <text>' not specified/);
  });
});

describe('hitl pauses', () => {
  it.each([
    [[], 'http://127.0.0.1:3002/pauses?active=true'],
    [['--workspace', 'acme-support'], 'http://127.0.0.1:3002/pauses?workspace=acme-support&active=true'],
    [['--workspace', 'acme-support', '--all'], 'http://127.0.0.1:3002/pauses?workspace=acme-support&active=true'],
  ])('%j asks GET %s', async (flags, url) => {
    const result = await run(['pauses', ...flags], json(200, { items: [] }));
    expect(result.calls[0]).toEqual({ url, method: 'GET', body: undefined, authorization: `Bearer ${TOKEN}` });
  });

  it('prints one line per pause in force', async () => {
    const workspace: PauseAnswer = { ...pause, id: 'p-2', agent_id: null, effect: 'block', reason: 'incident\nINC-42', paused_at: '2026-12-04T10:05:00.000Z' };
    const result = await run(['pauses'], json(200, { items: [workspace, pause] }));
    expect(result.calls).toHaveLength(1);
    expect(result.out.split('\n')).toEqual([
      'the whole workspace acme-support: block (new proposals it covers are blocked), paused by rev-grace since 2026-12-04T10:05:00.000Z: "incident\\nINC-42" (id p-2)',
      LINE,
      '',
    ]);
  });

  it('--all: those in force and the resumed ones (the API lists each alone), the latest first, resumed ones with their resumption', async () => {
    const older: PauseAnswer = { ...resumed, id: 'p-0', paused_at: '2026-12-03T08:00:00.000Z' };
    const result = await run(['pauses', '--all'], (url) => json(200, { items: url.endsWith('active=true') ? [pause] : [resumed, older] })());
    expect(result.calls.map((c) => c.url)).toEqual(['http://127.0.0.1:3002/pauses?active=true', 'http://127.0.0.1:3002/pauses?active=false']);
    expect(result.out.split('\n')).toEqual([
      LINE,
      `${LINE}; resumed by rev-grace at 2026-12-04T11:30:00.000Z: "rolled back the deploy"`,
      `${formatPause(older)}`,
      '',
    ]);
    expect(formatPause(older)).toContain('since 2026-12-03T08:00:00.000Z: "refunds doubled since the 10:00 deploy" (id p-0); resumed by rev-grace');
  });

  it.each([
    [[], 'no pauses in force\n'],
    [['--workspace', 'acme-support'], 'no pauses in force in acme-support\n'],
    [['--all'], 'no pauses\n'],
  ])('%j with none: says so', async (flags, out) => {
    expect((await run(['pauses', ...flags], json(200, { items: [] }))).out).toBe(out);
  });

  it('--json prints the pauses as they came, fields this CLI does not know included', async () => {
    const result = await run(['pauses', '--json'], json(200, { items: [{ ...pause, covers_open: 3 }] }));
    expect(JSON.parse(result.out)).toEqual({ items: [{ ...pause, covers_open: 3 }] });
  });

  it('a 403 of another workspace prints the code and message', async () => {
    const result = await run(
      ['pauses', '--workspace', 'globex-billing'],
      json(403, { statusCode: 403, code: 'wrong_workspace', message: 'you do not administer globex-billing' }),
    );
    expect([result.code, result.err]).toEqual([
      ExitCode.usage,
      'hitl: the escalation service answered 403 wrong_workspace: you do not administer globex-billing\n',
    ]);
  });

  it('cannot reach the service: says where it tried', async () => {
    let err = '';
    const code = await runCli(['pauses'], {
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

describe('pauseScope', () => {
  it.each([
    [{ agent_id: 'refund-bot', action: null }, 'agent refund-bot in acme-support'],
    [{ agent_id: null, action: 'process_refund' }, 'action process_refund in acme-support'],
    [{ agent_id: 'refund-bot', action: 'process_refund' }, 'action process_refund of agent refund-bot in acme-support'],
    [{ agent_id: null, action: null }, 'the whole workspace acme-support'],
  ])('%j: %s', (scope, words) => expect(pauseScope({ workspace: 'acme-support', ...scope })).toBe(words));
});
