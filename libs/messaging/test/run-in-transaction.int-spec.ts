// A command (an HTTP request, a timer) runs like a Kafka handler: one transaction for its
// writes and its events, the relay woken only after a commit that emitted something.
import { randomUUID } from 'node:crypto';
import { APPROVAL_RESOLVED, exampleEvent } from '@hitl/contracts';
import { testTrust } from '@hitl/testing';
import { MessageContext, Outbox, runInTransaction } from '../src';
import { Harness, createHarness } from './support/harness';

describe('running a command in a transaction', () => {
  let h: Harness;
  let nudges: number;
  const run = <T>(work: (ctx: MessageContext) => Promise<T>) =>
    runInTransaction({ dataSource: h.dataSource, outbox: new Outbox(h.schema, testTrust().key('router')), relay: { nudge: () => void nudges++ } }, work);
  const count = async (table: string) => (await h.dataSource.query(`SELECT count(*)::int AS n FROM "${h.schema}".${table}`))[0].n as number;
  const resolved = () => exampleEvent(APPROVAL_RESOLVED, { id: randomUUID() });
  const write = (ctx: MessageContext) =>
    ctx.manager.query(`INSERT INTO "${h.schema}".effects (decision_id, event_id) VALUES ($1, $2)`, [randomUUID(), randomUUID()]);

  beforeEach(async () => {
    h = await createHarness('cmd');
    nudges = 0;
  });

  afterEach(() => h.close());

  it('commits the writes and the events together, has no position in a log, and wakes the relay once', async () => {
    const answer = await run(async (ctx) => {
      expect(ctx.position).toBeNull();
      await write(ctx);
      await ctx.emit(resolved(), resolved());
      return 'done';
    });
    expect(answer).toBe('done');
    expect([await count('effects'), await count('outbox'), nudges]).toEqual([1, 2, 1]);
  });

  it('a command that throws leaves nothing behind: no write, no event, no nudge', async () => {
    const refused = run(async (ctx) => {
      await write(ctx);
      await ctx.emit(resolved());
      throw new Error('refused');
    });
    await expect(refused).rejects.toThrow('refused');
    expect([await count('effects'), await count('outbox'), nudges]).toEqual([0, 0, 0]);
  });

  it('a command that emits nothing commits its writes and leaves the relay asleep', async () => {
    await run(async (ctx) => {
      await write(ctx);
      await ctx.emit();
    });
    expect([await count('effects'), await count('outbox'), nudges]).toEqual([1, 0, 0]);
  });

  it('refuses by throwing, never by rejecting a message it does not have', async () => {
    const rejecting = run(async (ctx) => {
      await write(ctx);
      ctx.reject('some-event', 'code', 'message');
    });
    await expect(rejecting).rejects.toThrow('a command cannot reject messages');
    expect(await count('effects')).toBe(0);
  });
});
