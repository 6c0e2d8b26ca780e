import { randomUUID } from 'node:crypto';
import { Pause, describePause, pausedEvent, refusePause, refuseResume, resumedEvent, worksIn } from '@hitl/approvals';
import { Commands } from '@hitl/messaging';
import { PauseBody, PausePage, PauseQuery } from '@hitl/reviewer-api';
import { SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { notYourWorkspace, pauseNotFound, pauseRefused } from './pauses.errors';
import { pausesMade, pausesResumed } from './pauses.metrics';
import { findPause, insertPause, listPauses, resumePause } from './pauses.repository';

/**
 * The kill switch. An admin pauses an agent, an action or a whole workspace of theirs, with a
 * reason, and later resumes it, explicitly: each is the row's change and its event
 * (hitl.control.paused.v1 / resumed.v1 on control.changed, through the outbox) in one
 * transaction, so the router hears of every pause that is stored, and of no other.
 */
@Injectable()
export class PausesService {
  constructor(
    private readonly commands: Commands,
    private readonly dataSource: DataSource,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async pause(admin: AuthenticatedReviewer, body: PauseBody, now = new Date()): Promise<Pause> {
    const refusal = refusePause(admin, body);
    if (refusal) throw pauseRefused(refusal);
    const pause = await this.commands.run(async (ctx) => {
      const saved = await insertPause(ctx.manager, {
        id: randomUUID(),
        workspace: body.workspace,
        agent_id: body.agent_id ?? null,
        action: body.action ?? null,
        effect: body.effect,
        reason: body.reason,
        paused_by: admin.id,
        paused_at: now.toISOString(),
      });
      await ctx.emit(pausedEvent(saved, now));
      return saved;
    });
    pausesMade.inc({ effect: pause.effect });
    // A warning: from now on, what it covers is not decided the way the policy says.
    this.logger.warn(
      {
        pause_id: pause.id,
        workspace: pause.workspace,
        agent_id: pause.agent_id,
        action: pause.action,
        effect: pause.effect,
        by: admin.id,
        reason: pause.reason,
      },
      `paused: ${describePause(pause)}`,
    );
    return pause;
  }

  async resume(admin: AuthenticatedReviewer, id: string, reason: string, now = new Date()): Promise<Pause> {
    const pause = await this.commands.run(async (ctx) => {
      // Locked: of two resumes at once, the second waits and finds it resumed.
      const found = await findPause(ctx.manager, id, true);
      if (!found) throw pauseNotFound(id);
      const refusal = refuseResume(admin, found);
      if (refusal) throw pauseRefused(refusal);
      const resumed = await resumePause(ctx.manager, id, { by: admin.id, at: now, reason });
      await ctx.emit(resumedEvent(resumed, now));
      return resumed;
    });
    pausesResumed.inc();
    this.logger.info(
      { pause_id: pause.id, workspace: pause.workspace, agent_id: pause.agent_id, action: pause.action, by: admin.id, reason },
      `resumed: ${describePause(pause)}`,
    );
    return pause;
  }

  /** Pauses of the caller's workspaces (or the one asked for, if theirs), in force by default. */
  async list(reviewer: AuthenticatedReviewer, query: PauseQuery): Promise<PausePage> {
    if (query.workspace !== undefined && !worksIn(reviewer, query.workspace)) throw notYourWorkspace(reviewer.id, query.workspace);
    const workspaces = query.workspace !== undefined ? [query.workspace] : reviewer.workspaces.includes('*') ? null : reviewer.workspaces;
    return { items: await listPauses(this.dataSource.manager, query.active === 'true', workspaces) };
  }
}
