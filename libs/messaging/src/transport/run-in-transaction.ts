import { DataSource } from 'typeorm';
import { Outbox } from '../outbox/outbox';
import { OutboxRelay } from '../outbox/outbox-relay';
import { MessageContext } from './message-context';

/** What running a command needs: the service's database, its outbox, and the relay to wake. */
export interface CommandDeps {
  dataSource: DataSource;
  outbox: Outbox;
  relay?: Pick<OutboxRelay, 'nudge'>;
}

/**
 * Runs a command that changes state (an HTTP request, a timer) the way the transport runs
 * a Kafka handler: one transaction, a MessageContext whose `emit` writes to the outbox in
 * it, and the relay woken once the transaction committed. A throw rolls back everything,
 * events included.
 */
export async function runInTransaction<T>(deps: CommandDeps, work: (ctx: MessageContext) => Promise<T>): Promise<T> {
  let wrote = false;
  const result = await deps.dataSource.transaction(async (manager) => {
    const ctx = new MessageContext(manager, deps.outbox, null);
    const value = await work(ctx);
    // Refusing one message of a batch is the transport's business; a command refuses by throwing.
    if (ctx.rejected.size > 0) throw new Error('a command cannot reject messages: throw to refuse it');
    wrote = deps.outbox.wroteIn(manager);
    return value;
  });
  // Woken as the transport wakes it: only after a transaction that wrote to the outbox.
  if (wrote) deps.relay?.nudge();
  return result;
}

/**
 * `runInTransaction` with the service's own database, outbox and relay, for injection:
 * services ask for this and never wire the outbox by hand.
 */
export class Commands {
  constructor(private readonly deps: CommandDeps) {}

  run<T>(work: (ctx: MessageContext) => Promise<T>): Promise<T> {
    return runInTransaction(this.deps, work);
  }
}
