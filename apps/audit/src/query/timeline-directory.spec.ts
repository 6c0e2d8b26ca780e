import { DIRECTORY_REVIEWER_CHANGED, REVIEWERS_FILE_ACTOR, ReviewerSnapshot, exampleEvent } from '@hitl/contracts';
import { describeDirectoryChange, describeRow } from './timeline';

// Changes of the reviewer directory on an auditor's timeline: who did what to whom, in plain words.

const dana: ReviewerSnapshot = {
  name: 'Dana Okafor',
  roles: ['finance_lead'],
  workspaces: ['acme-support'],
  available: true,
  capacity: null,
  admin: false,
  auditor: false,
  aliases: [],
  own_channel: null,
  can_sign_in: false,
  granted_by: null,
};
const change = (over: Partial<Parameters<typeof describeDirectoryChange>[0]>) =>
  describeDirectoryChange({
    change_id: '5b2e8c1d-7f3a-4d6e-9a0b-c1d2e3f4a5b6',
    reviewer_id: 'rev-dana',
    changed_by: 'rev-grace',
    change: 'updated',
    before: dana,
    after: dana,
    ...over,
  });

describe('a directory change in plain words', () => {
  it.each([
    ['added', { change: 'added', before: null }, 'rev-grace added reviewer rev-dana: roles finance_lead in acme-support'],
    [
      'added everywhere, as an admin',
      { change: 'added', before: null, after: { ...dana, roles: [], workspaces: ['*'], admin: true } },
      'rev-grace added reviewer rev-dana: roles none in every workspace (admin)',
    ],
    ['removed', { change: 'removed', after: null }, 'rev-grace removed reviewer rev-dana (had roles finance_lead in acme-support)'],
    ['a token issued', { change: 'token_issued' }, 'rev-grace issued a new sign-in token for reviewer rev-dana (the previous one no longer works)'],
    [
      'roles widened, with the grant',
      { after: { ...dana, roles: ['finance_lead', 'team_lead'], granted_by: 'rev-grace' } },
      'rev-grace changed reviewer rev-dana: roles: finance_lead → finance_lead, team_lead; granted by: the reviewers file → rev-grace',
    ],
    [
      'aliases and an own channel',
      { after: { ...dana, aliases: ['dana@example.com'], own_channel: 'webhook:sha256:0123456789abcdef' } },
      'rev-grace changed reviewer rev-dana: aliases: none → dana@example.com; own channel: none → webhook:sha256:0123456789abcdef',
    ],
    [
      'availability and capacity',
      { after: { ...dana, available: false, capacity: 3 } },
      'rev-grace changed reviewer rev-dana: available: true → false; capacity: no limit → 3',
    ],
    [
      'by the reviewers file',
      { changed_by: REVIEWERS_FILE_ACTOR, after: { ...dana, can_sign_in: true } },
      'the reviewers file changed reviewer rev-dana: can sign in: false → true',
    ],
  ] as const)('%s', (_name, over, summary) => {
    expect(change(over as Parameters<typeof change>[0])).toBe(summary);
  });

  it('is a step of its own on the record', () => {
    const event = exampleEvent(DIRECTORY_REVIEWER_CHANGED);
    const described = describeRow({ type: event.type, actor_kind: 'reviewer', actor_id: 'rev-grace', action: null, event: event as never, verified: true });
    expect(described).toEqual({
      step: 'directory_changed',
      summary: expect.stringMatching(/^rev-grace changed reviewer rev-emil: roles: support_agent → support_agent, finance_lead/),
    });
  });

  it('a refused one is never told as a change', () => {
    const event = exampleEvent(DIRECTORY_REVIEWER_CHANGED);
    const described = describeRow({
      type: event.type,
      actor_kind: 'unverified',
      actor_id: 'rev-grace',
      action: null,
      event: event as never,
      verified: false,
      refusal: 'unsigned: must be signed',
    });
    expect(described.step).toBe('refused');
  });
});
