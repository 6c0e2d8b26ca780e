import { toState } from '../approval-store/approval-store.repository';
import { approvalRow as row } from '../../test/support/approval-row';
import { opensForReview } from './opening';

const actor = (id: string, roles: string[], workspaces = ['acme-support'], auditor = false) => ({ id, roles, workspaces, auditor });

describe('when reading an approval opens it for review', () => {
  it.each([
    ['a reviewer of the tier’s role, while it is pending', actor('alice', ['support_agent']), row(), true],
    ['a reviewer ranked above it in the action’s path', actor('dan', ['finance_lead']), row(), true],
    ['a reviewer of the role while it waits on a clarification', actor('alice', ['support_agent']), row({ status: 'clarifying' }), true],
    ['a reviewer, once it is decided: reading a decided item times nothing', actor('alice', ['support_agent']), row({ status: 'approved' }), false],
    ['an auditor of its workspace: decides nothing', actor('hassan', [], ['acme-support'], true), row(), false],
    ['an auditor who also holds the role', actor('hassan', ['support_agent'], ['acme-support'], true), row(), false],
    ['a reviewer of another workspace', actor('zed', ['support_agent'], ['globex-billing']), row(), false],
    ['a reviewer of a role below the tier', actor('alice', ['support_agent']), row({ tier: 1, reviewer_role: 'finance_lead' }), false],
  ])('%s: %s', (_name, who, approval, opens) => {
    expect(opensForReview(who, toState(approval))).toBe(opens);
  });
});
