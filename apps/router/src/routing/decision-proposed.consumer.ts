import { CloudEvent, DECISION_PROPOSED, Topics } from '@hitl/contracts';
import { InvalidMessage, MessageContext, invalidMessagePattern } from '@hitl/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { RoutingService } from './routing.service';

/** The router's Kafka adapter: decoded and de-duplicated by the transport, routed by the service. */
@Controller()
export class DecisionProposedConsumer {
  constructor(private readonly routing: RoutingService) {}

  // A chunk at a time: one insert for all its decisions, their events published after the
  // commit; a redelivered proposal finds its decision and emits the same events again.
  @EventPattern(Topics.DecisionProposed, { batch: true, rederives: true })
  onProposed(@Payload() proposals: CloudEvent<typeof DECISION_PROPOSED>[], @Ctx() ctx: MessageContext): Promise<void> {
    return this.routing.routeProposals(proposals, ctx);
  }

  @EventPattern(invalidMessagePattern(Topics.DecisionProposed))
  onInvalid(@Payload() invalid: InvalidMessage, @Ctx() ctx: MessageContext): Promise<void> {
    return this.routing.blockInvalid(invalid, ctx);
  }
}
