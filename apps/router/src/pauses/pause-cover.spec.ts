import { PauseRow } from './pauses.repository';
import { pauseCovering } from './pause-cover';

const pause = (over: Partial<PauseRow>): PauseRow => ({
  id: 'p-agent',
  workspace: 'acme-support',
  agent_id: 'refund-bot',
  action: null,
  effect: 'review',
  reason: 'refunds doubled',
  paused_by: 'rev-grace',
  paused_at: new Date('2026-12-04T10:00:00Z'),
  ...over,
});
const refund = { workspace: 'acme-support', agent_id: 'refund-bot', action: 'process_refund' };

describe('which pause covers a proposal', () => {
  it.each<[string, PauseRow[], typeof refund, string | null]>([
    ['its agent paused', [pause({})], refund, 'p-agent'],
    ['another agent paused', [pause({ agent_id: 'other-bot' })], refund, null],
    ['its action paused', [pause({ id: 'p-action', agent_id: null, action: 'process_refund' })], refund, 'p-action'],
    ['another action paused', [pause({ agent_id: null, action: 'cancel_subscription' })], refund, null],
    ['its workspace paused', [pause({ id: 'p-ws', agent_id: null })], refund, 'p-ws'],
    ['another workspace paused', [pause({ workspace: 'globex', agent_id: null })], refund, null],
    ['agent and action both named: only that agent’s that action', [pause({ action: 'cancel_subscription' })], refund, null],
    ['a block outranks an older review', [pause({ id: 'p-review' }), pause({ id: 'p-block', agent_id: null, effect: 'block' })], refund, 'p-block'],
    ['of two reviews, the oldest', [pause({ id: 'p-first' }), pause({ id: 'p-second', agent_id: null })], refund, 'p-first'],
  ])('%s', (_name, pauses, proposal, expected) => {
    expect(pauseCovering(pauses, proposal)?.id ?? null).toBe(expected);
  });

  it('says what the governing pause covers, in the contract’s words', () => {
    expect(pauseCovering([pause({ action: 'process_refund' })], refund)?.covers).toBe('action process_refund of agent refund-bot');
    expect(pauseCovering([pause({ agent_id: null })], refund)?.covers).toBe('the whole workspace acme-support');
  });
});
