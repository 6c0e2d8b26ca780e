import { APPROVAL_REQUESTED, CloudEvent, Topics } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApprovalsService } from './approvals.service';

/** Escalation's Kafka adapter: decoded and de-duplicated by the transport, opened by the service. */
@Controller()
export class ApprovalRequestedConsumer {
  constructor(private readonly approvals: ApprovalsService) {}

  @EventPattern(Topics.ApprovalRequested)
  onRequested(@Payload() request: CloudEvent<typeof APPROVAL_REQUESTED>, @Ctx() ctx: MessageContext): Promise<void> {
    return this.approvals.open(request, ctx);
  }
}
