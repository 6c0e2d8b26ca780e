// How the simulated desk picks its work: the blocking queue from the top, post-reviews only
// when nothing blocking is theirs, a small share of post-reviews rolled back.
import { InboxItem, firstToTake, inboxPath, postReviewAnswer } from './reviewer-desk';

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
