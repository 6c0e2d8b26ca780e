import { AnyEvent } from '@hitl/contracts';
import { EntityManager } from 'typeorm';
import { Outbox } from '../outbox/outbox';

export interface MessagePosition {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
}

/**
 * What a handler gets beside the event: the open transaction its writes go through,
 * and `emit` for the events those writes cause (same transaction, via the outbox).
 */
export class MessageContext {
  constructor(
    readonly manager: EntityManager,
    private readonly outbox: Outbox,
    readonly position: MessagePosition,
  ) {}

  emit(...events: AnyEvent[]): Promise<void> {
    return this.outbox.publish(this.manager, events);
  }
}
