// How the simulated desk picks its work: the blocking queue from the top, post-reviews only
// when nothing blocking is theirs, a small share of post-reviews rolled back.
import { InboxItem, belongsToRun, firstToTake, inboxPath, postReviewAnswer } from './reviewer-desk';

const item = (approval_id: string, route: string, decision_id = `d-${approval_id}`): InboxItem => ({
  approval_id,
  decision_id,
  route,
  payload_hash: `sha256:${'a'.repeat(64)}`,
  action: 'process_refund',
});

describe('inboxPath', () => {
  it.each([
    ['blocking', undefined, '/approvals?queue=blocking&assigned=all&limit=100'],
    ['post_review', null, '/approvals?queue=post_review&assigned=me&limit=50'],
    ['blocking', 'WzEsIngiXQ==', '/approvals?queue=blocking&assigned=all&limit=100&cursor=WzEsIngiXQ%3D%3D'],
  ] as const)('the %s queue (cursor %s)', (queue, cursor, path) => {
    expect(inboxPath(queue, cursor)).toBe(path);
  });
});

describe('firstToTake', () => {
  const ours = new Set(['d-2', 'd-3', 'd-4', 'd-5']);
  const taken = new Set(['2']);
  const isOurs = (i: InboxItem) => ours.has(i.decision_id) && !taken.has(i.approval_id);
  const page = [item('1', 'human_review'), item('2', 'escalate'), item('3', 'post_review'), item('4', 'escalate'), item('5', 'human_review')];

  it.each([
    ['the top blocking item of this run nobody took', 'blocking', page, '4'],
    ['the top post-review of this run', 'post_review', page, '3'],
    ['nothing when no item is of this run', 'blocking', [item('1', 'human_review')], undefined],
    ['never a post-review as blocking work', 'blocking', [item('3', 'post_review')], undefined],
    ['never blocking work as a post-review', 'post_review', [item('4', 'escalate')], undefined],
  ] as const)('%s', (_name, queue, items, expected) => {
    expect(firstToTake(items, queue, isOurs)?.approval_id).toBe(expected);
  });
});

describe('postReviewAnswer', () => {
  it.each([
    [0, 'rollback'],
    [0.0199, 'rollback'],
    [0.02, 'confirm'],
    [0.5, 'confirm'],
    [0.9999, 'confirm'],
  ] as const)('a draw of %d: %s', (draw, answer) => {
    expect(postReviewAnswer(draw)).toBe(answer);
  });

  it('takes another share', () => {
    expect(postReviewAnswer(0.08, 0.1)).toBe('rollback');
  });
});

describe('belongsToRun', () => {
  const since = new Date('2026-12-04T10:00:00Z');
  const proposals = new Map([['d-ours', {}]]);
  it.each<[string, Partial<InboxItem>, Date | undefined, boolean]>([
    ['a proposal of the run', { decision_id: 'd-ours', created_at: '2026-12-04T09:00:00Z' }, undefined, true],
    ['anything else, without a start time', { decision_id: 'd-other', created_at: '2026-12-04T11:00:00Z' }, undefined, false],
    ['an item that reached the queue after the start (a canary, say)', { decision_id: 'd-other', created_at: '2026-12-04T10:00:01Z' }, since, true],
    ["an older run's item", { decision_id: 'd-other', created_at: '2026-12-04T09:59:59Z' }, since, false],
    ['an item without a creation time', { decision_id: 'd-other' }, since, false],
  ])('%s: %s', (_, over, start, expected) => {
    expect(belongsToRun({ ...item('1', 'human_review'), created_at: undefined, ...over }, proposals, start)).toBe(expected);
  });
});
