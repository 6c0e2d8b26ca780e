import { DIRECTORY_REVIEWER_CHANGED, REVIEWERS_FILE_ACTOR, assertValidEvent } from '@hitl/contracts';
import { DirectoryEntry, channelFingerprint, directoryEvents, grantAfter, refuseSelfChange, snapshotOf, widening } from './directory';

const now = new Date('2026-11-22T09:00:00Z');
const CHANGE = '5b2e8c1d-7f3a-4d6e-9a0b-c1d2e3f4a5b6';

const grace: DirectoryEntry = {
  name: 'Grace',
  roles: [],
  workspaces: ['acme'],
  available: true,
  capacity: null,
  admin: true,
  auditor: false,
  aliases: ['grace@example.com'],
  notifyWebhook: null,
  hasToken: true,
  grantedBy: null,
};
const with_ = (over: Partial<DirectoryEntry>): DirectoryEntry => ({ ...grace, ...over });

describe('what a change widens', () => {
  it.each([
    ['nothing', grace, []],
    ['a new role', with_({ roles: ['finance_lead'] }), ['adds role finance_lead']],
    ['a new workspace', with_({ workspaces: ['acme', 'globex'] }), ['adds workspace globex']],
    ['every workspace', with_({ workspaces: ['*'] }), ['adds workspace *']],
    ['fewer workspaces', with_({ workspaces: [] }), []],
    ['the auditor flag', with_({ auditor: true }), ['makes them an auditor']],
    ['an alias dropped', with_({ aliases: [] }), ['drops alias grace@example.com']],
    ['an alias only re-cased', with_({ aliases: ['Grace@Example.com'] }), []],
    ['an alias added', with_({ aliases: ['grace@example.com', 'g@x.io'] }), []],
    ['availability and capacity', with_({ available: false, capacity: 2 }), []],
    ['a role and a workspace', with_({ roles: ['team_lead'], workspaces: ['acme', 'globex'] }), ['adds role team_lead', 'adds workspace globex']],
  ] as const)('%s', (_name, after, expected) => {
    expect(widening(grace, after)).toEqual(expected);
  });

  it('from every workspace, no workspace is new', () => {
    expect(widening(with_({ workspaces: ['*'] }), with_({ workspaces: ['*', 'globex'] }))).toEqual([]);
  });

  it('a new reviewer gains everything they hold', () => {
    expect(widening(null, with_({ roles: ['support_agent'], admin: false }))).toEqual(['adds role support_agent', 'adds workspace acme']);
  });
});

describe('an admin changing themselves', () => {
  const admin = { id: 'grace', aliases: ['grace@example.com'] };

  it.each([
    ['widens their roles', 'grace', with_({ roles: ['finance_lead'] }), 'self_widening'],
    ['widens their workspaces', 'grace', with_({ workspaces: ['*'] }), 'self_widening'],
    ['drops their own alias', 'grace', with_({ aliases: [] }), 'self_widening'],
    ['names themselves in another case', 'Grace', with_({ roles: ['finance_lead'] }), 'self_widening'],
    ['narrows their workspaces', 'grace', with_({ workspaces: [] }), null],
    ['changes their availability', 'grace', with_({ available: false }), null],
    ['widens someone else', 'dana', with_({ roles: ['finance_lead'] }), null],
  ] as const)('%s: %s', (_name, reviewerId, after, code) => {
    expect(refuseSelfChange(admin, reviewerId, grace, after)?.code ?? null).toBe(code);
  });

  it('says what they tried, and that another admin must do it', () => {
    expect(refuseSelfChange(admin, 'grace', grace, with_({ roles: ['finance_lead'] }))).toEqual({
      status: 403,
      code: 'self_widening',
      message: expect.stringMatching(/grace: adds role finance_lead.*another admin/),
    });
  });
});

describe('whose grant the authority is', () => {
  const dana = with_({ roles: ['finance_lead'], admin: false, grantedBy: 'ada' });

  it.each<[string, DirectoryEntry | null, DirectoryEntry, string | null, string | null]>([
    ['a new reviewer: the creator', null, dana, 'grace', 'grace'],
    ['a new role: the changer', dana, { ...dana, roles: ['finance_lead', 'team_lead'] }, 'grace', 'grace'],
    ['a new workspace: the changer', dana, { ...dana, workspaces: ['acme', 'globex'] }, 'grace', 'grace'],
    ['narrower: the grant stays', dana, { ...dana, roles: [] }, 'grace', 'ada'],
    ['availability: the grant stays', dana, { ...dana, available: false }, 'grace', 'ada'],
    ['the reviewers file: nobody in the directory', dana, { ...dana, roles: ['team_lead'] }, null, null],
  ])('%s', (_name, before, after, changedBy, expected) => {
    expect(grantAfter(before, after, changedBy)).toBe(expected);
  });
});

describe('a change on the record', () => {
  const dana = with_({ name: 'Dana', roles: ['finance_lead'], admin: false, aliases: [], hasToken: false, grantedBy: 'grace' });
  const facts = (over: Partial<Parameters<typeof directoryEvents>[0]>) =>
    directoryEvents({ changeId: CHANGE, reviewerId: 'dana', changedBy: 'grace', change: 'updated', before: dana, after: dana, ...over }, now);

  it('is one signed-to-be event per workspace touched, before and after, each valid by the contract', () => {
    const events = facts({ after: { ...dana, workspaces: ['globex'] } });
    expect(events.map((e) => e.workspaceid)).toEqual(['acme', 'globex']);
    for (const event of events) {
      expect(assertValidEvent(event)).toBeTruthy();
      expect(event).toMatchObject({ type: DIRECTORY_REVIEWER_CHANGED, subject: CHANGE, source: 'hitl/escalation', time: now.toISOString() });
      expect(event.data).toMatchObject({ change_id: CHANGE, reviewer_id: 'dana', changed_by: 'grace', change: 'updated' });
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
  });

  it('keeps "*" as it is', () => {
    expect(facts({ change: 'added', before: null, after: { ...dana, workspaces: ['*'] } }).map((e) => e.workspaceid)).toEqual(['*']);
  });

  it.each([
    ['added', null, dana, 1],
    ['removed', dana, null, 1],
    ['token_issued', dana, { ...dana, hasToken: true }, 1],
    ['updated', dana, { ...dana, capacity: 3 }, 1],
    ['updated', dana, dana, 0],
  ] as const)('%s (%#) gives %i event(s) for one workspace', (change, before, after, count) => {
    expect(facts({ change, before, after })).toHaveLength(count);
  });

  it('never carries a token, its hash or a webhook address', () => {
    const secret = 'https://hooks.example.test/T000/B000/secret-part';
    const [event] = facts({ change: 'token_issued', after: { ...dana, hasToken: true, notifyWebhook: secret } });
    const text = JSON.stringify(event);
    expect(text).not.toContain('secret-part');
    expect(text).not.toContain('token_hash');
    expect(event.data).toMatchObject({ after: { can_sign_in: true, own_channel: channelFingerprint(secret) } });
  });

  it('a changed channel address shows as a changed fingerprint', () => {
    const a = channelFingerprint('https://hooks.example.test/a');
    expect(a).toMatch(/^webhook:sha256:[0-9a-f]{16}$/);
    expect(channelFingerprint('https://hooks.example.test/b')).not.toBe(a);
    expect(channelFingerprint(null)).toBeNull();
  });

  it('names the reviewers file as the changer when it was the file', () => {
    const [event] = facts({ changedBy: REVIEWERS_FILE_ACTOR, change: 'added', before: null });
    expect(event.data).toMatchObject({ changed_by: 'reviewers file', before: null, after: snapshotOf(dana) });
  });
});
