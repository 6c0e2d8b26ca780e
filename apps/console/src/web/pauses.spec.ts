import { PauseLine, PauseView } from '@hitl/reviewer-api';
import { PauseForm, bannerText, effectWords, pauseLine, pausePreview, resumeReason, scopeWords, validatePauseForm, workspaceChoices } from './pauses';

const utc = (at: Date) => at.toISOString().slice(11, 16);
const covering: PauseLine = {
  id: 'p-1',
  agent_id: 'refund-bot',
  action: null,
  effect: 'review',
  reason: 'refunds doubled since the deploy',
  paused_by: 'rev-grace',
  paused_at: '2026-12-04T10:02:31.000Z',
};
const pause: PauseView = { ...covering, workspace: 'acme-support', resumed_by: null, resumed_at: null, resume_reason: null };
const form: PauseForm = { workspace: 'acme-support', scope: 'agent', agent: 'refund-bot', action: '', effect: 'review', reason: 'refunds doubled' };

describe('pauses in words', () => {
  it.each([
    [{ agent_id: 'refund-bot', action: null }, 'agent refund-bot', 'agent refund-bot in acme-support'],
    [{ agent_id: null, action: 'process_refund' }, 'action process_refund', 'action process_refund in acme-support'],
    [
      { agent_id: 'refund-bot', action: 'process_refund' },
      'action process_refund of agent refund-bot',
      'action process_refund of agent refund-bot in acme-support',
    ],
    [{ agent_id: null, action: null }, 'the whole workspace', 'the whole workspace acme-support'],
  ])('%j: %s; with its workspace: %s', (scope, alone, withWorkspace) => {
    expect(scopeWords(scope)).toBe(alone);
    expect(scopeWords({ ...scope, workspace: 'acme-support' })).toBe(withWorkspace);
  });

  it.each([
    ['review', 'New proposals it covers go to a person.'],
    ['block', 'New proposals it covers are blocked.'],
  ] as const)('effect %s: %s', (effect, words) => expect(effectWords(effect)).toBe(words));

  it.each([
    [covering, 'Paused: agent refund-bot, by rev-grace since 10:02: refunds doubled since the deploy. New proposals it covers go to a person.'],
    [
      { ...covering, agent_id: null, effect: 'block' as const, reason: 'Incident INC-42!' },
      'Paused: the whole workspace, by rev-grace since 10:02: Incident INC-42! New proposals it covers are blocked.',
    ],
    [
      { ...covering, reason: ' ends with a period. ' },
      'Paused: agent refund-bot, by rev-grace since 10:02: ends with a period. New proposals it covers go to a person.',
    ],
  ])('the banner of %j', (p, text) => expect(bannerText(p, utc)).toBe(text));

  it('one line of the list', () => {
    expect(pauseLine(pause, utc)).toBe('agent refund-bot in acme-support: to a person, by rev-grace since 10:02');
    expect(pauseLine({ ...pause, action: 'process_refund', agent_id: null, effect: 'block' }, utc)).toBe(
      'action process_refund in acme-support: blocked, by rev-grace since 10:02',
    );
  });
});

describe('the Controls form', () => {
  it.each([
    ['an agent', form, { workspace: 'acme-support', agent_id: 'refund-bot', effect: 'review', reason: 'refunds doubled' }],
    [
      'an action, blocked',
      { ...form, scope: 'action' as const, agent: 'ignored', action: ' process_refund ', effect: 'block' as const },
      { workspace: 'acme-support', action: 'process_refund', effect: 'block', reason: 'refunds doubled' },
    ],
    ['the whole workspace', { ...form, scope: 'workspace' as const, reason: '  spike  ' }, { workspace: 'acme-support', effect: 'review', reason: 'spike' }],
  ])('%s: sent as %j', (_, f, body) => expect(validatePauseForm(f, ['acme-support'])).toEqual({ ok: true, body }));

  it.each([
    ['no workspace', { ...form, workspace: '' }, ['acme-support'], ['Choose a workspace.']],
    ['every workspace', { ...form, workspace: '*' }, ['*'], ['Name one workspace: a pause covers one workspace at a time.']],
    ['another workspace', { ...form, workspace: 'globex-billing' }, ['acme-support'], ['globex-billing is not one of your workspaces.']],
    ['no agent', { ...form, agent: ' ' }, ['acme-support'], ['Name the agent to pause.']],
    ['no action', { ...form, scope: 'action' as const }, ['acme-support'], ['Name the action to pause.']],
    [
      'no reason and no agent',
      { ...form, agent: '', reason: '  ' },
      ['acme-support'],
      ['Name the agent to pause.', 'Say why: the reason is on the record and shown to reviewers.'],
    ],
    ['a reason too short', { ...form, reason: ' ok ' }, ['acme-support'], ['Say why in at least 3 characters.']],
    ['a reason the API would refuse', { ...form, reason: 'x'.repeat(501) }, ['acme-support'], ['reason: must be at most 500 characters']],
  ])('%s: refused', (_, f, workspaces, problems) => expect(validatePauseForm(f, workspaces)).toEqual({ ok: false, problems }));

  it('an admin of every workspace names any one', () => {
    expect(validatePauseForm({ ...form, workspace: 'globex-billing' }, ['*'])).toMatchObject({ ok: true, body: { workspace: 'globex-billing' } });
    expect(workspaceChoices(['*'])).toBeNull();
    expect(workspaceChoices(['acme-support', 'globex-billing'])).toEqual(['acme-support', 'globex-billing']);
  });

  it.each([
    [form, 'Pauses agent refund-bot in acme-support. New proposals it covers go to a person. Nothing it covers is auto-approved until it is resumed.'],
    [
      { ...form, scope: 'workspace' as const, effect: 'block' as const },
      'Pauses the whole workspace acme-support. New proposals it covers are blocked. Nothing it covers is auto-approved until it is resumed.',
    ],
    [
      { ...form, scope: 'action' as const, workspace: '' },
      'Pauses action … in …. New proposals it covers go to a person. Nothing it covers is auto-approved until it is resumed.',
    ],
  ])('previews %j', (f, text) => expect(pausePreview(f)).toBe(text));

  it.each([
    ['  fixed  ', 'fixed'],
    ['   ', null],
    ['ok', null],
    ['x'.repeat(501), null],
  ])('resume reason %j: %j', (text, reason) => expect(resumeReason(text)).toBe(reason));
});
