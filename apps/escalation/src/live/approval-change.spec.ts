import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest } from '@hitl/policy';
import { ApprovalRow } from '../approval-store/approval-store.repository';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { approvalRow } from '../../test/support/approval-row';
import { changeFor, parseNotice, parseReviewerNotice, reauthorized, resolverOf, sseComment, sseFrame } from './approval-change';

const refunds = loadManifest(readFileSync(join(__dirname, '../../../../manifests/refunds.yaml'), 'utf8'));
const policy = refunds.actions.get('process_refund')!;
const now = new Date('2026-11-22T09:00:00Z');
const ID = '0b9f6a52-3f57-4c55-9d4e-1f1f5a1b2c3d';

const row = (overrides: Partial<ApprovalRow> & { resolution?: unknown } = {}) => ({
  ...approvalRow({ approval_id: ID, required_approvals: 1, approved_by: [] }),
  ...overrides,
});

const reviewer = (id: string, roles: string[], workspaces: string[], more: Partial<AuthenticatedReviewer> = {}): AuthenticatedReviewer =>
  ({ id, name: id, roles, workspaces, available: true, capacity: null, admin: false, auditor: false, ...more }) as AuthenticatedReviewer;

describe('the live stream of approval changes', () => {
  it.each([
    ['a support agent of the workspace sees a support_agent tier', reviewer('alice', ['support_agent'], ['acme-support']), row(), true],
    ['a finance lead outranks the support_agent tier', reviewer('dana', ['finance_lead'], ['acme-support']), row(), true],
    [
      'a support agent does not see the finance_lead tier',
      reviewer('alice', ['support_agent'], ['acme-support']),
      row({ tier: 1, reviewer_role: 'finance_lead' }),
      false,
    ],
    ["another workspace's reviewer sees nothing", reviewer('ines', ['support_agent', 'finance_lead'], ['globex-billing']), row(), false],
    ['an auditor of the workspace reads it', reviewer('hassan', [], ['acme-support'], { auditor: true }), row(), true],
    ['a reviewer of every workspace sees it', reviewer('zed', ['support_agent'], ['*']), row(), true],
    ['a resolved approval still reaches who could decide it', reviewer('bruno', ['support_agent'], ['acme-support']), row({ status: 'approved' }), true],
  ])('%s', (_case, viewer, approval, visible) => {
    const event = changeFor(viewer, { schema: 'escalation', approval_id: ID, change: 'new' }, approval, policy, now);
    expect(event !== null).toBe(visible);
  });

  it('says what changed, the status, who resolved it, and the approval as an inbox line', () => {
    const approval = row({ status: 'denied', resolution: { resolvedBy: { kind: 'reviewer', id: 'bruno' } } });
    const event = changeFor(
      reviewer('alice', ['support_agent'], ['acme-support']),
      { schema: 'escalation', approval_id: ID, change: 'resolved' },
      approval,
      policy,
      now,
    )!;
    expect(event).toMatchObject({ change: 'resolved', approval_id: ID, status: 'denied', resolved_by: 'bruno' });
    expect(event.item).toMatchObject({
      approval_id: ID,
      action: 'process_refund',
      amount: 129.5,
      assignee: 'alice',
      time_left_seconds: 1800,
      summary: 'Refund $129.50 for order "ORD-10492".',
    });
  });

  it.each([
    [{ resolvedBy: { kind: 'reviewer', id: 'bruno' } }, 'bruno'],
    [{ resolvedBy: { kind: 'timeout', id: 'on_timeout:deny' } }, 'on_timeout:deny'],
    [{ reviewed_by: 'alice', notes: null }, 'alice'],
    [null, null],
    ['not an object', null],
  ])('reads who resolved it from %j', (resolution, who) => {
    expect(resolverOf(resolution)).toBe(who);
  });

  it.each([
    [JSON.stringify({ schema: 'escalation', approval_id: ID, change: 'assigned' }), { schema: 'escalation', approval_id: ID, change: 'assigned' }],
    [JSON.stringify({ schema: 'escalation', approval_id: ID, change: 'exploded' }), null],
    [JSON.stringify({ schema: 'escalation', approval_id: 'not-a-uuid', change: 'new' }), null],
    ['{not json', null],
    [undefined, null],
  ])('reads the notification %s', (payload, notice) => {
    expect(parseNotice(payload)).toEqual(notice);
  });

  it('writes events as one JSON line, and comments that cannot break out of their line', () => {
    expect(sseFrame('approval', { a: 'x\ny' })).toBe('event: approval\ndata: {"a":"x\\ny"}\n\n');
    expect(sseFrame('ready', {}, '7')).toBe('id: 7\nevent: ready\ndata: {}\n\n');
    expect(sseComment('beat\n\ndata: {"forged":true}')).toBe(': beat data: {"forged":true}\n\n');
  });

  it.each([
    [JSON.stringify({ schema: 'escalation', reviewer_id: 'carol' }), { schema: 'escalation', reviewer_id: 'carol' }],
    [JSON.stringify({ schema: 'escalation', reviewer_id: '' }), null],
    [JSON.stringify({ schema: 'escalation' }), null],
    ['{not json', null],
    [undefined, null],
  ])('reads the reviewer notification %s', (payload, notice) => {
    expect(parseReviewerNotice(payload)).toEqual(notice);
  });

  const carol = reviewer('carol', ['support_agent'], ['acme-support']);
  it.each([
    [
      'the token still is hers: kept, with her roles as they now are',
      { ...carol, roles: ['finance_lead'] },
      { kind: 'keep', viewer: { ...carol, roles: ['finance_lead'] } },
    ],
    ['the token was revoked, or she was removed: ended', null, { kind: 'end', ending: { code: 'token_revoked', message: expect.any(String) } }],
    [
      "the token now is someone else's: ended",
      reviewer('dan', ['finance_lead'], ['acme-support']),
      { kind: 'end', ending: { code: 'token_revoked', message: expect.any(String) } },
    ],
  ])('a stream of carol, once she changed: %s', (_case, holder, verdict) => {
    expect(reauthorized('carol', holder)).toEqual(verdict);
  });
});
