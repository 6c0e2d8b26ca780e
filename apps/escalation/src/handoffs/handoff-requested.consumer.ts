import { AnyEvent, CloudEvent, HANDOFF_REQUESTED, Topics } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { HandoffsService } from './handoffs.service';

const isRequest = (event: AnyEvent): event is CloudEvent<typeof HANDOFF_REQUESTED> => event.type === HANDOFF_REQUESTED;

/**
 * handoff.requested in, a chunk at a time. The transport refuses, before this handler, what
 * is unsigned, signed by anyone but the agent the request names (or by an agent outside the
 * event's workspace), and what it read before; what remains opens a handoff.
 */
@Controller()
export class HandoffRequestedConsumer {
  constructor(private readonly handoffs: HandoffsService) {}

  @EventPattern(Topics.HandoffRequested, { batch: true })
  onRequests(@Payload() events: AnyEvent[], @Ctx() ctx: MessageContext): Promise<void> {
    return this.handoffs.open(events.filter(isRequest), ctx);
  }
}
