import { APPROVAL_RESOLVED, CloudEvent, Topics } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ClassificationsService } from './classifications.service';

/**
 * approval.resolved in, a chunk at a time: only the router's blocks of actions the manifest
 * does not know concern escalation (its own resolutions come back here too, and pass). The
 * transport refuses what is unsigned or signed by a key that may not sign it; the service
 * counts nothing the router's key did not sign.
 */
@Controller()
export class ApprovalResolvedConsumer {
  constructor(private readonly classifications: ClassificationsService) {}

  @EventPattern(Topics.ApprovalResolved, { batch: true })
  onResolved(@Payload() resolutions: CloudEvent<typeof APPROVAL_RESOLVED>[], @Ctx() ctx: MessageContext): Promise<void> {
    return this.classifications.record(resolutions, ctx);
  }
}
