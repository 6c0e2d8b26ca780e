import { isDeepStrictEqual } from 'node:util';
import { Probation, ProbationEvent, describeProbation, mergeProbation, probationEndedEvent, refuseEnd, worksIn } from '@hitl/approvals';
import { Commands } from '@hitl/messaging';
import { ProbationPage, ProbationQuery } from '@hitl/reviewer-api';
import { SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { notYourWorkspace, probationNotFound, probationRefused } from './probations.errors';
import { probationEventsRead, probationsEnded } from './probations.metrics';
import { findProbation, insertProbation, listProbations, saveProbation } from './probations.repository';

const KIND = {
  'hitl.control.probation_started.v1': 'started',
  'hitl.control.probation_graduated.v1': 'graduated',
  'hitl.control.probation_ended.v1': 'ended',
} as const satisfies Record<ProbationEvent['type'], string>;

/**
 * Probations. The router starts and graduates them; this service keeps the fold of their
 * events (control.changed, in any order, any number of times), lists them to reviewers, and
 * lets an admin end one early on the owner's word: the row's end and its event
 * (hitl.control.probation_ended.v1 on control.changed, through the outbox) in one
 * transaction, so the router hears of every end that is stored, and of no other.
 */
@Injectable()
export class ProbationsService {
  constructor(
    private readonly commands: Commands,
    private readonly dataSource: DataSource,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async end(admin: AuthenticatedReviewer, id: string, reason: string, now = new Date()): Promise<Probation> {
    const probation = await this.commands.run(async (ctx) => {
      // Locked: of two ends at once (or an end and the router's graduation), the second waits and finds it over.
      const found = await findProbation(ctx.manager, id, true);
      if (!found) throw probationNotFound(id);
      const refusal = refuseEnd(admin, found);
      if (refusal) throw probationRefused(refusal);
      const event = probationEndedEvent(found, admin, reason, now);
      // The row is the fold of the event it publishes: when the event comes back, nothing changes.
      const ended = await saveProbation(ctx.manager, mergeProbation(found, event));
      await ctx.emit(event);
      return ended;
    });
    probationsEnded.inc();
    // A warning: from the moment the router reads it, the action's decisions follow the policy without the evidence.
    this.logger.warn(
      { probation_id: probation.id, workspace: probation.workspace, action: probation.action, by: admin.id, reason },
      `probation ended early: ${describeProbation(probation)}`,
    );
    return probation;
  }

  /** Folds the probation events of a chunk of control.changed, in the chunk's transaction. */
  async fold(events: readonly ProbationEvent[], manager: EntityManager): Promise<void> {
    for (const event of events) {
      const kept = await this.keep(manager, event);
      if (!kept) continue;
      probationEventsRead.inc({ kind: KIND[event.type] });
      this.logger.info(
        { probation_id: kept.id, workspace: kept.workspace, action: kept.action, event: event.type, state: kept.state },
        describeProbation(kept),
      );
    }
  }

  /** The probation after the event, or null when the event changed nothing (read before, or an end after an earlier one). */
  private async keep(manager: EntityManager, event: ProbationEvent): Promise<Probation | null> {
    // Twice at most: should another transaction insert the probation between our look and our insert, the second look locks it.
    for (let attempt = 0; attempt < 2; attempt++) {
      const known = await findProbation(manager, event.data.probation_id, true);
      if (known === null) {
        const fresh = mergeProbation(null, event);
        if (await insertProbation(manager, fresh)) return fresh;
        continue;
      }
      const merged = mergeProbation(known, event);
      return isDeepStrictEqual(merged, known) ? null : saveProbation(manager, merged);
    }
    throw new Error(`probation ${event.data.probation_id} could be neither inserted nor found`);
  }

  /** Probations of the caller's workspaces (or the one asked for, if theirs), the active ones by default. */
  async list(reviewer: AuthenticatedReviewer, query: ProbationQuery): Promise<ProbationPage> {
    if (query.workspace !== undefined && !worksIn(reviewer, query.workspace)) throw notYourWorkspace(reviewer.id, query.workspace);
    const workspaces = query.workspace !== undefined ? [query.workspace] : reviewer.workspaces.includes('*') ? null : reviewer.workspaces;
    return { items: await listProbations(this.dataSource.manager, query.state === 'all' ? null : query.state, workspaces) };
  }
}
