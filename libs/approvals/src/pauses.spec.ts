import { CONTROL_PAUSED, CONTROL_RESUMED, assertValidEvent } from '@hitl/contracts';
import { Pause, PauseAdmin, covers, describePause, pausedEvent, refusePause, refuseResume, resumedEvent } from './pauses';

const now = new Date('2026-11-22T09:00:00Z');
const PAUSE = '8d4f2a6b-3c1e-4f7a-9b2d-6e5c4b3a2f10';

const pause = (over: Partial<Pause> = {}): Pause => ({
  id: PAUSE,
  workspace: 'acme',
  agent_id: 'refund-bot',
  action: null,
  effect: 'review',
  reason: 'refunds doubled after the 09:00 deploy',
  paused_by: 'rev-grace',
  paused_at: '2026-11-22T09:00:00.000Z',
  resumed_by: null,
  resumed_at: null,
  resume_reason: null,
  ...over,
});
const resumed = pause({ resumed_by: 'rev-hana', resumed_at: '2026-11-22T10:00:00.000Z', resume_reason: 'deploy rolled back' });

const grace: PauseAdmin = { id: 'rev-grace', admin: true, workspaces: ['acme'] };
const everywhere: PauseAdmin = { id: 'rev-root', admin: true, workspaces: ['*'] };
const reviewer: PauseAdmin = { id: 'rev-dana', admin: false, workspaces: ['acme'] };
const otherAdmin: PauseAdmin = { id: 'rev-zed', admin: true, workspaces: ['globex'] };

describe('who may pause', () => {
  it.each<[string, PauseAdmin, string, string | null]>([
    ['an admin of the workspace', grace, 'acme', null],
    ['an admin of every workspace', everywhere, 'acme', null],
    ['a reviewer who is no admin', reviewer, 'acme', 'not_admin'],
    ['a non-admin outside the workspace: not an admin first', { ...reviewer, workspaces: ['globex'] }, 'acme', 'not_admin'],
    ['an admin of another workspace', otherAdmin, 'acme', 'wrong_workspace'],
    ['an admin of no workspace', { ...grace, workspaces: [] }, 'acme', 'wrong_workspace'],
  ])('%s', (_name, admin, workspace, code) => {
    expect(refusePause(admin, { workspace })?.code ?? null).toBe(code);
  });

  it('says who and where, with the status it travels with', () => {
    expect(refusePause(otherAdmin, { workspace: 'acme' })).toEqual({
      status: 403,
      code: 'wrong_workspace',
      message: 'rev-zed is not an admin of workspace acme',
    });
    expect(refusePause(reviewer, { workspace: 'acme' })).toMatchObject({ status: 403, message: expect.stringContaining('only an admin') });
  });
});

describe('who may resume', () => {
  it.each([
    ['an admin of the workspace, an active pause', grace, pause(), null],
    ['another admin than who paused', { ...grace, id: 'rev-hana' }, pause(), null],
    ['an admin of every workspace', everywhere, pause(), null],
    ['a reviewer who is no admin', reviewer, pause(), 'not_admin'],
    ['an admin of another workspace', otherAdmin, pause(), 'wrong_workspace'],
    ['an admin, a pause resumed before', grace, resumed, 'already_resumed'],
    ['an admin of another workspace, a pause resumed before: not theirs first', otherAdmin, resumed, 'wrong_workspace'],
  ] as const)('%s', (_name, admin, target, code) => {
    expect(refuseResume(admin, target)?.code ?? null).toBe(code);
  });

  it('a second resume is a conflict naming the first', () => {
    expect(refuseResume(grace, resumed)).toEqual({ status: 409, code: 'already_resumed', message: expect.stringContaining('resumed by rev-hana') });
  });
});

describe('what a pause covers', () => {
  const refund = { workspace: 'acme', agent_id: 'refund-bot', action: 'process_refund' };

  it.each([
    ['its agent, any action', pause(), refund, true],
    ['another agent', pause(), { ...refund, agent_id: 'ship-bot' }, false],
    ['its action, any agent', pause({ agent_id: null, action: 'process_refund' }), { ...refund, agent_id: 'ship-bot' }, true],
    ['another action', pause({ agent_id: null, action: 'process_refund' }), { ...refund, action: 'cancel_order' }, false],
    ['its agent and action', pause({ action: 'process_refund' }), refund, true],
    ['its agent, another action', pause({ action: 'process_refund' }), { ...refund, action: 'cancel_order' }, false],
    ['the whole workspace', pause({ agent_id: null }), { ...refund, agent_id: 'ship-bot', action: 'cancel_order' }, true],
    ['another workspace', pause({ agent_id: null }), { ...refund, workspace: 'globex' }, false],
    ['a block covers as a review does', pause({ effect: 'block' }), refund, true],
    ['nothing once resumed', resumed, refund, false],
    ['names compared as written', pause({ agent_id: 'Refund-Bot' }), refund, false],
  ] as const)('%s', (_name, target, proposal, expected) => {
    expect(covers(target, proposal)).toBe(expected);
  });
});

describe('a pause in plain words', () => {
  it.each([
    ['an agent', pause(), 'agent refund-bot paused by rev-grace: refunds doubled after the 09:00 deploy'],
    ['an action', pause({ agent_id: null, action: 'process_refund' }), 'action process_refund paused by rev-grace: refunds doubled after the 09:00 deploy'],
    [
      "an agent's action",
      pause({ action: 'process_refund' }),
      'action process_refund of agent refund-bot paused by rev-grace: refunds doubled after the 09:00 deploy',
    ],
    ['the whole workspace', pause({ agent_id: null }), 'the whole workspace acme paused by rev-grace: refunds doubled after the 09:00 deploy'],
    ['a block', pause({ effect: 'block' }), 'agent refund-bot paused by rev-grace (its proposals blocked): refunds doubled after the 09:00 deploy'],
    ['a resumed pause', resumed, 'agent refund-bot paused by rev-grace: refunds doubled after the 09:00 deploy; resumed by rev-hana: deploy rolled back'],
  ] as const)('%s', (_name, target, words) => {
    expect(describePause(target)).toBe(words);
  });
});

describe('the events that tell the router', () => {
  it('a pause: hitl.control.paused.v1 in its workspace, keyed by the pause, valid by the contract', () => {
    const event = pausedEvent(pause({ effect: 'block' }), now);
    expect(event).toMatchObject({
      type: CONTROL_PAUSED,
      source: 'hitl/escalation',
      workspaceid: 'acme',
      subject: PAUSE,
      time: now.toISOString(),
      data: {
        pause_id: PAUSE,
        agent_id: 'refund-bot',
        action: null,
        effect: 'block',
        reason: 'refunds doubled after the 09:00 deploy',
        paused_by: 'rev-grace',
      },
    });
    expect(() => assertValidEvent(event)).not.toThrow();
  });

  it('a resume: hitl.control.resumed.v1 with its own reason and admin', () => {
    const event = resumedEvent(resumed, now);
    expect(event).toMatchObject({
      type: CONTROL_RESUMED,
      workspaceid: 'acme',
      subject: PAUSE,
      data: { pause_id: PAUSE, reason: 'deploy rolled back', resumed_by: 'rev-hana' },
    });
    expect(() => assertValidEvent(event)).not.toThrow();
  });

  it('no resume event for a pause that is not resumed', () => {
    expect(() => resumedEvent(pause(), now)).toThrow(/not resumed/);
  });
});
