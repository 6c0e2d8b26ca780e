import { AnyEvent, Principal, SignatureVerdict } from '@hitl/contracts';
import { withTraceContext } from '@hitl/tracing';
import { Context, context } from '@opentelemetry/api';
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

  constructor(
    readonly manager: EntityManager,
    private readonly outbox: Outbox,
    /** Where the message sits in Kafka; null for a command that came from no message. */
    readonly position: MessagePosition | null,
    private readonly verdicts: ReadonlyMap<string, SignatureVerdict> = new Map(),
    /** Where `emitAfterCommit` collects; only handlers that re-derive their outputs get one. */
    private readonly afterCommit?: AnyEvent[],
    /**
     * A batch's trace contexts by subject: each event of the batch is handled in a span of
     * its own, and what the handler emits about the same subject (the decision) carries that
     * span's context. Without one (or for another subject), the active context.
     */
    private readonly traces?: ReadonlyMap<string, Context>,
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
    return this.outbox.publish(this.manager, this.traced(events));
  }

  /**
   * For handlers declared `{ batch: true, rederives: true }`: events that are a pure function
   * of what this transaction commits, published by the transport right after the commit and
   * before the offsets (no outbox row, no relay hop). Should the process die in between, the
   * messages come again and the handler, finding its records, emits the same events again
   * (same ids: consumers de-duplicate). Anything that cannot be re-derived goes to `emit`.
   */
  emitAfterCommit(...events: AnyEvent[]): void {
    if (!this.afterCommit) throw new Error('emitAfterCommit is only for handlers declared { batch: true, rederives: true }');
    this.afterCommit.push(...this.traced(events));
  }

  /** The events with the trace context of what caused them (`traceparent`), set now: they are signed later. */
  private traced(events: AnyEvent[]): AnyEvent[] {
    return events.map((event) => withTraceContext(event, this.traces?.get(event.subject) ?? context.active()));
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
