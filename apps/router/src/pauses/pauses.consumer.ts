import { AnyEvent, Topics, pauseScopeWords } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { SERVICE_LOGGER } from '@hitl/service-kit';
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Logger } from 'pino';
import { ProbationService } from '../probation/probation.service';
import { keepPause, keepResume } from './pauses.repository';
import { pausesRead } from './pauses.metrics';

/**
 * Operators' controls (control.changed), as the escalation service signed them: the transport
 * refuses any other signer before this handler. Pauses and resumes are kept in the router's
 * table, which every replica reads as it routes; an admin's early end of a probation ends it.
 * The router's own probation events come back here too, and change nothing.
 */
@Controller()
export class PausesConsumer {
  constructor(
    private readonly probation: ProbationService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern(Topics.ControlChanged, { batch: true })
  async onControl(@Payload() events: AnyEvent[], @Ctx() ctx: MessageContext): Promise<void> {
    for (const event of events) {
      if (event.type === 'hitl.control.paused.v1') {
        if (await keepPause(ctx.manager, event.workspaceid, event.data, new Date(event.time))) {
          pausesRead.inc({ kind: 'paused' });
          this.logger.warn(
            { pause: event.data.pause_id, workspace: event.workspaceid, effect: event.data.effect, by: event.data.paused_by, reason: event.data.reason },
            `${pauseScopeWords({ workspace: event.workspaceid, ...event.data })} paused: no proposal it covers runs without a person`,
          );
        }
      } else if (event.type === 'hitl.control.resumed.v1') {
        const kept = await keepResume(ctx.manager, event.workspaceid, event.data, new Date(event.time));
        if (kept !== 'already') {
          pausesRead.inc({ kind: 'resumed' });
          this.logger.info({ pause: event.data.pause_id, workspace: event.workspaceid, by: event.data.resumed_by, reason: event.data.reason }, 'pause resumed');
        }
      } else if (event.type === 'hitl.control.probation_ended.v1') {
        await this.probation.end(ctx, event.workspaceid, event.data, new Date(event.time));
      }
    }
  }
}
