import { HandbackTimeoutError, HandoffAbandonedError } from './errors';
import { Handback, HandoffDesk } from './handoff-desk';

const handback = (id: string, resolution: Handback['resolution'] = 'handed_back'): Handback => ({
  handoff_id: id,
  session_id: `s-${id}`,
  resolution,
  notes: 'refunded the shipping by hand',
  reply: null,
  returned_by: 'rev-alice',
  checkpoint: { step: 2 },
});

describe('the handoff desk', () => {
  it.each([
    ['awaited in this process: to its waiters', true, 'waiters'],
    ['awaited by nobody here (a restart): to the handler', false, 'handler'],
  ] as const)('a handback %s', async (_, awaited, to) => {
    const desk = new HandoffDesk();
    desk.suspend('h1', 's-h1');
    const waiting = awaited ? desk.wait('h1') : undefined;
    expect(desk.deliver(handback('h1'))).toEqual({ to });
    if (waiting) await expect(waiting).resolves.toMatchObject({ handoff_id: 'h1', notes: 'refunded the shipping by hand' });
    expect(desk.isSuspended('s-h1')).toBe(false);
  });

  it('hands a redelivered handback over once, and again only after the handler failed on it', () => {
    const desk = new HandoffDesk();
    expect(desk.deliver(handback('h1')).to).toBe('handler');
    expect(desk.deliver(handback('h1')).to).toBe('nobody');
    desk.retry('h1');
    expect(desk.deliver(handback('h1')).to).toBe('handler');
  });

  it('remembers only so many handbacks (bounded)', () => {
    const desk = new HandoffDesk(2);
    for (const id of ['a', 'b', 'c']) desk.deliver(handback(id));
    expect(desk.deliver(handback('a')).to).toBe('handler');
    expect(desk.deliver(handback('c')).to).toBe('nobody');
  });

  it('a wait with a timeout rejects with HandbackTimeoutError and can be awaited again', async () => {
    const desk = new HandoffDesk();
    await expect(desk.wait('h1', 10)).rejects.toBeInstanceOf(HandbackTimeoutError);
    const again = desk.wait('h1');
    desk.deliver(handback('h1', 'closed'));
    await expect(again).resolves.toMatchObject({ resolution: 'closed' });
  });

  it('stopping rejects every waiter with HandoffAbandonedError and unsuspends the sessions; a request never sent rejects with its error', async () => {
    const desk = new HandoffDesk();
    desk.suspend('h1', 's-h1');
    desk.suspend('h2', 's-h2');
    const first = desk.wait('h1');
    const second = desk.wait('h2');
    desk.cancel('h2', new Error('broker away'));
    await expect(second).rejects.toThrow('broker away');
    desk.abandon();
    await expect(first).rejects.toBeInstanceOf(HandoffAbandonedError);
    expect(desk.isSuspended('s-h1')).toBe(false);
  });
});
