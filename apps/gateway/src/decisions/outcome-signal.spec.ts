import { OutcomeSignal } from './outcome-signal';

describe('waking the requests that wait for a decision', () => {
  it('wakes a waiter of the decision that changed, and no other', async () => {
    const signal = new OutcomeSignal();
    const mine = signal.next('d-1', 5_000);
    const other = signal.next('d-2', 50);
    signal.changed('d-1');
    await expect(mine).resolves.toBe('changed');
    await expect(other).resolves.toBe('timeout');
  });

  it('times out when nothing changes, and forgets the waiter either way', async () => {
    const signal = new OutcomeSignal();
    await expect(signal.next('d-1', 10)).resolves.toBe('timeout');
    signal.changed('d-1');
    const woken = signal.next('d-1', 1_000);
    signal.changed('d-1');
    await expect(woken).resolves.toBe('changed');
  });
});
