import { AUDITED_TOPICS, AnyEvent, dlqTopic } from '@hitl/contracts';
import { MessageContext, RawMessage } from '@hitl/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { IngestionService } from './ingestion.service';

/**
 * The audit's Kafka adapter: every topic of the contract and every DLQ, a chunk at a time,
 * but its own stream (audit.recorded holds what it recorded).
 */
@Controller()
export class AuditConsumer {
  constructor(private readonly ingestion: IngestionService) {}

  // The transport runs in `record` mode: every event arrives here, with its signature's verdict on the context.
  @EventPattern([...AUDITED_TOPICS], { batch: true })
  onEvents(@Payload() events: AnyEvent[], @Ctx() ctx: MessageContext): Promise<void> {
    return this.ingestion.recordEvents(ctx.manager, events, (eventId) => ctx.signature(eventId));
  }

  @EventPattern(AUDITED_TOPICS.map(dlqTopic))
  onDeadLetters(@Payload() letters: RawMessage[], @Ctx() ctx: MessageContext): Promise<void> {
    return this.ingestion.recordDeadLetters(ctx.manager, letters);
  }
}
