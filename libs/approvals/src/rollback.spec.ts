import { ApprovalState } from './approval';
import { refuseRollback, rollbackClosesAt } from './rollback';
import { approvalState } from '../test/approval-state';

const requestedAt = new Date('2026-11-22T09:00:00Z');
const after = (seconds: number) => new Date(requestedAt.getTime() + seconds * 1000);
const alice = { id: 'alice', roles: ['support_agent'], workspaces: ['acme'] };

const state = (overrides: Partial<ApprovalState> = {}): ApprovalState =>
  approvalState({ route: 'post_review', escalationPath: ['support_agent'], approvalTimeoutSeconds: 3600, ...overrides });

describe('rolling back an action that already ran', () => {
  it.each([
    ['inside the window', alice, state(), 3600, after(60), null],
    ['at the window’s last instant', alice, state(), 3600, after(3600), null],
    ['just after the window', alice, state(), 3600, after(3600.001), 'rollback_window_closed'],
    ['with no window: any time', alice, state(), null, after(365 * 86_400), null],
    ['by a reviewer ranked above the tier', { id: 'dan', roles: ['finance_lead'], workspaces: ['acme'] }, state(), 3600, after(60), null],
    ['by someone of another workspace', { ...alice, workspaces: ['globex'] }, state(), 3600, after(60), 'wrong_workspace'],
    ['by someone without the role, even after the window', { id: 'farah', roles: ['team_lead'], workspaces: ['acme'] }, state(), 60, after(3600), 'wrong_role'],
    ['an action that has not run (human_review): deny it instead', alice, state({ route: 'human_review' }), null, after(60), 'not_post_review'],
    ['once it was confirmed as reviewed', alice, state({ status: 'reviewed' }), 3600, after(60), 'already_resolved'],
    ['twice', alice, state({ status: 'rolled_back' }), 3600, after(60), 'already_resolved'],
  ])('%s', (_name, who, s, window, now, code) => {
    const refusal = refuseRollback(who, { state: s, createdAt: requestedAt, rollbackWindowSeconds: window }, now);
    expect(refusal?.code ?? null).toBe(code);
    if (code === 'rollback_window_closed')
      expect(refusal).toMatchObject({ status: 409, message: 'the 3600-second rollback window closed at 2026-11-22T10:00:00.000Z' });
  });

  it('knows when the window closes', () => {
    expect(rollbackClosesAt(requestedAt, 90)).toEqual(after(90));
    expect(rollbackClosesAt(requestedAt, null)).toBeNull();
  });
});
