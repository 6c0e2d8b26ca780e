import { DecisionView } from './decision-request';
import { framesFor, sseFrame } from './decision-stream';

const pending = { decision_id: 'd-1', status: 'pending' } as DecisionView;
const approved = { ...pending, status: 'approved', resolution: { status: 'approved' } } as DecisionView;

describe('a decision’s stream', () => {
  it.each([
    ['first look, pending: the decision, more to come', null, pending, [sseFrame('decision', pending)], false],
    ['still pending: nothing', 'pending', pending, [], false],
    [
      'resolved: the decision, then the end',
      'pending',
      approved,
      [sseFrame('decision', approved), sseFrame('end', { decision_id: 'd-1', status: 'approved' })],
      true,
    ],
    [
      'first look, resolved already: the decision and the end',
      null,
      approved,
      [sseFrame('decision', approved), sseFrame('end', { decision_id: 'd-1', status: 'approved' })],
      true,
    ],
  ] as const)('%s', (_, said, view, frames, done) => {
    expect(framesFor(said, view)).toEqual({ frames, done });
  });

  it('writes one data line whatever the text holds', () => {
    expect(sseFrame('decision', { summary: 'two\nlines' })).toBe('event: decision\ndata: {"summary":"two\\nlines"}\n\n');
  });
});
