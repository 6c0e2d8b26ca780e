import { AnyEvent, Principal, SignatureVerdict } from '@hitl/contracts';
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
 * HTTP commands and timers get the same (`runInTransaction`), with no position in a log.
 */
export class MessageContext {
  /** Events of a batch the handler refused, by event id: the transport dead-letters each. */
  readonly rejected = new Map<string, { code: string; message: string }>();
  private emittedCount = 0;

  constructor(
    readonly manager: EntityManager,
    private readonly outbox: Outbox,
    /** Where the message sits in Kafka; null for a command that came from no message. */
    readonly position: MessagePosition | null,
    private readonly verdicts: ReadonlyMap<string, SignatureVerdict> = new Map(),
  ) {}

  /** What verifying an event's signature found (the transport verified it before the handler ran). */
  signature(eventId: string): SignatureVerdict | undefined {
    return this.verdicts.get(eventId);
  }

  /** Who signed an event that verified; null when it is unsigned (and admitted) or not verified. */
  signer(eventId: string): Principal | null {
    const verdict = this.verdicts.get(eventId);
    return verdict?.ok ? verdict.signer : null;
  }

  emit(...events: AnyEvent[]): Promise<void> {
    this.emittedCount += events.length;
    return this.outbox.publish(this.manager, events);
  }

  /** How many events were emitted so far (the relay is worth waking only when some were). */
  get emitted(): number {
    return this.emittedCount;
  }

  /**
   * For `{ batch: true }` handlers: this one event of the batch cannot be processed (the
   * batch's UnprocessableMessageError). The handler must not have written anything for it;
   * the transport sends its original bytes to the DLQ with the reason, in the same transaction.
   */
  reject(eventId: string, code: string, message: string): void {
    this.rejected.set(eventId, { code, message });
  }
}
