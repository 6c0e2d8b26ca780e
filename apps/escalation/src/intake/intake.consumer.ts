import { APPROVAL_REQUESTED, CloudEvent, Topics } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApprovalIntakeService } from './intake.service';

/**
 * Escalation's Kafka adapter: decoded, de-duplicated and signature-checked by the
 * transport, opened by the service. A request not signed by the router is dead-lettered
 * by the transport and never reaches this class; on purpose there is no
 * `invalidMessagePattern` handler here: a refused request opens nothing and notifies nobody.
 */
@Controller()
export class ApprovalIntakeConsumer {
  constructor(private readonly intake: ApprovalIntakeService) {}

  @EventPattern(Topics.ApprovalRequested)
  onRequested(@Payload() request: CloudEvent<typeof APPROVAL_REQUESTED>, @Ctx() ctx: MessageContext): Promise<void> {
    return this.intake.open(request, ctx);
  }
}
