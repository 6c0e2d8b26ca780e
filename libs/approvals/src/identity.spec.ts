import { Candidate } from './approval';
import { leastLoaded, qualifies } from './assignment';
import { Actor, isRequester, refuse, selfGranted } from './authority';
import { approvalState } from '../test/approval-state';

// Who a person is: their id and their aliases, ignoring case. The person an action is for is
// never assigned it and never approves it; nobody decides on a grant they gave themselves.

const emil = { id: 'emil', aliases: ['emil@example.com', 'crm:4711'] };

describe('the person an action is for', () => {
  it.each([
    ['their id', 'emil', true],
    ['their id in other case', 'EMIL', true],
    ['an alias', 'emil@example.com', true],
    ['an alias in other case', 'Emil@Example.com', true],
    ['an external id alias', 'CRM:4711', true],
    ['someone else', 'dana@example.com', false],
    ['a name that only contains theirs', 'emil@example.com.evil', false],
    ['nobody (no on_behalf_of)', null, false],
  ] as const)('named by %s: %s', (_name, onBehalfOf, expected) => {
    expect(isRequester(emil, onBehalfOf)).toBe(expected);
  });

  it('a person without aliases is named by their id alone', () => {
    expect(isRequester({ id: 'dana' }, 'Dana')).toBe(true);
    expect(isRequester({ id: 'dana' }, 'dana@example.com')).toBe(false);
  });
});

describe('assignment never picks the person the action is for, nor a self-granted reviewer', () => {
  const candidate = (over: Partial<Candidate>): Candidate => ({
    id: 'x',
    roles: ['finance_lead'],
    workspaces: ['acme'],
    available: true,
    capacity: null,
    pending: 0,
    ...over,
  });

  it.each([
    ['qualifies', candidate({ id: 'dana' }), 'Emil@Example.com', true],
    ['named by an alias, ignoring case', candidate({ ...emil }), 'Emil@Example.com', false],
    ['named by their id, ignoring case', candidate({ ...emil }), 'EMIL', false],
    ['on a grant they gave themselves', candidate({ id: 'grace', grantedBy: 'grace' }), null, false],
    ['on a grant another admin gave', candidate({ id: 'grace', grantedBy: 'ada' }), null, true],
    ['from the reviewers file', candidate({ id: 'grace', grantedBy: null }), null, true],
  ] as const)('%s', (_name, who, onBehalfOf, expected) => {
    expect(qualifies(who, 'finance_lead', 'acme', onBehalfOf)).toBe(expected);
  });

  it('the least-loaded pick passes over the requester, however their name is written', () => {
    const pool = [candidate({ ...emil, pending: 0 }), candidate({ id: 'dana', pending: 3 })];
    expect(leastLoaded(pool, 'finance_lead', 'acme', 'EMIL@example.COM')?.id).toBe('dana');
  });
});

describe('who may decide, by identity and by grant', () => {
  const finance: Actor = { id: 'emil', aliases: ['emil@example.com'], roles: ['finance_lead'], workspaces: ['acme'] };
  const state = (onBehalfOf: string | null) => approvalState({ tier: 1, onBehalfOf });

  it.each([
    ['approving for an alias, other case', finance, 'Emil@Example.com', 'approve', 'requester'],
    ['editing for an alias', finance, 'emil@example.com', 'edit', 'requester'],
    ['approving for their id, other case', finance, 'Emil', 'approve', 'requester'],
    ['denying for an alias (denying is always allowed)', finance, 'Emil@Example.com', 'deny', null],
    ['approving for someone else', finance, 'customer:c-1', 'approve', null],
    ['approving on their own grant', { ...finance, grantedBy: 'emil' }, null, 'approve', 'self_granted'],
    ['approving on their own grant, named by an alias', { ...finance, grantedBy: 'EMIL@example.com' }, null, 'approve', 'self_granted'],
    ['editing on their own grant', { ...finance, grantedBy: 'emil' }, null, 'edit', 'self_granted'],
    ['denying on their own grant (denying is always allowed)', { ...finance, grantedBy: 'emil' }, null, 'deny', null],
    ['approving on a grant by another admin', { ...finance, grantedBy: 'grace' }, null, 'approve', null],
    ['an admin without the role', { id: 'grace', roles: [], workspaces: ['*'] }, null, 'approve', 'wrong_role'],
    ['an auditor without the role', { id: 'hassan', roles: [], workspaces: ['acme'] }, null, 'deny', 'wrong_role'],
  ] as const)('%s: %s', (_name, actor, onBehalfOf, act, code) => {
    expect(refuse({ ...actor, roles: [...actor.roles], workspaces: [...actor.workspaces] }, state(onBehalfOf), act)?.code ?? null).toBe(code);
  });

  it('self-granted means the grant names the person, by id or alias', () => {
    expect(selfGranted({ id: 'emil', aliases: ['e@x.io'], grantedBy: 'E@X.io' })).toBe(true);
    expect(selfGranted({ id: 'emil', grantedBy: null })).toBe(false);
    expect(selfGranted({ id: 'emil' })).toBe(false);
  });
});
