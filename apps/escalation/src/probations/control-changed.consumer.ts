import { AnyEvent, Topics } from '@hitl/contracts';
import { isProbationEvent } from '@hitl/approvals';
import { MessageContext } from '@hitl/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ProbationsService } from './probations.service';

/**
 * control.changed in, a chunk at a time: the probation events (the router's starts and
 * graduations, and this service's own early ends, back again) are folded into the probations
 * table; the pauses (this service's own) pass. The transport refuses, before this handler,
 * what is unsigned or signed by a key that may not sign it (a start or a graduation signed by
 * anyone but the router, an end by anyone but the escalation service), and what it read before.
 */
@Controller()
export class ControlChangedConsumer {
  constructor(private readonly probations: ProbationsService) {}

  @EventPattern(Topics.ControlChanged, { batch: true })
  onControl(@Payload() events: AnyEvent[], @Ctx() ctx: MessageContext): Promise<void> {
    return this.probations.fold(events.filter(isProbationEvent), ctx.manager);
  }
}
