import { ClarificationView, DecisionView } from './decision-request';
import { NOTHING_SAID, framesFor, sseFrame } from './decision-stream';

const pending = { decision_id: 'd-1', status: 'pending', clarifications: [] as ClarificationView[] } as DecisionView;
const approved = { ...pending, status: 'approved', resolution: { status: 'approved' } } as DecisionView;
const question: ClarificationView = {
  clarification_id: 'c-1',
  approval_id: 'a-1',
  question: 'Which card?',
  requested_by: 'rev-alice',
  asked_at: '2026-12-04T10:00:00.000Z',
  answer: null,
  answered_at: null,
};
const asked = { ...pending, clarifications: [question] } as DecisionView;
const end = sseFrame('end', { decision_id: 'd-1', status: 'approved' });
const told = (status: DecisionView['status'], ...questions: string[]) => ({ status, questions: new Set(questions) });

describe('a decision’s stream', () => {
  it.each([
    ['first look, pending: the decision, more to come', NOTHING_SAID, pending, [sseFrame('decision', pending)], false],
    ['still pending: nothing', told('pending'), pending, [], false],
    ['a reviewer asks: the question alone', told('pending'), asked, [sseFrame('clarification', { decision_id: 'd-1', ...question })], false],
    ['the same question again: nothing', told('pending', 'c-1'), asked, [], false],
    ['resolved: the decision, then the end', told('pending'), approved, [sseFrame('decision', approved), end], true],
    ['first look, resolved already: the decision and the end', NOTHING_SAID, approved, [sseFrame('decision', approved), end], true],
  ] as const)('%s', (_, said, view, frames, done) => {
    const next = framesFor(said, view);
    expect(next.frames).toEqual(frames);
    expect(next.done).toBe(done);
    expect(next.said.status).toBe(view.status);
  });

  it('writes one data line whatever the text holds', () => {
    expect(sseFrame('decision', { summary: 'two\nlines' })).toBe('event: decision\ndata: {"summary":"two\\nlines"}\n\n');
  });
});
