import { APPROVAL_RESOLVED, AnyEvent, CloudEvent, Topics } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { saysUnknownAction } from '@hitl/policy';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ClassificationsService } from './classifications.service';

/** What may be a sighting: any other resolution is skipped before its signature is checked. */
const mayBeSighting = (event: AnyEvent) => event.type === APPROVAL_RESOLVED && saysUnknownAction(event);

/**
 * approval.resolved in, a chunk at a time: only the router's blocks of actions the manifest
 * does not know concern escalation (its own resolutions come back here too, and are skipped
 * with the router's other answers, `relevant`). The transport refuses what is unsigned or
 * signed by a key that may not sign it; the service counts nothing the router's key did not sign.
 */
@Controller()
export class ApprovalResolvedConsumer {
  constructor(private readonly classifications: ClassificationsService) {}

  @EventPattern(Topics.ApprovalResolved, { batch: true, relevant: mayBeSighting })
  onResolved(@Payload() resolutions: CloudEvent<typeof APPROVAL_RESOLVED>[], @Ctx() ctx: MessageContext): Promise<void> {
    return this.classifications.record(resolutions, ctx);
  }
}
