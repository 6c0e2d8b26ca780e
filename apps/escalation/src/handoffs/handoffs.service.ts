import { Handoff, HandoffCommand, decideHandoff, describeHandoff, onHandoffDue, openHandoff, refuseTake, worksIn } from '@hitl/approvals';
import { CloudEvent, HANDOFF_REQUESTED } from '@hitl/contracts';
import { Commands, MessageContext } from '@hitl/messaging';
import { HandoffPage, HandoffQuery, HandoffView } from '@hitl/reviewer-api';
import { ManifestStore, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { NotificationsService } from '../notifications/notifications.service';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { handoffNotFound, handoffRefused, notYourWorkspace } from './handoffs.errors';
import { handoffSteps } from './handoffs.metrics';
import { findHandoff, insertHandoff, listHandoffs, lockDueHandoffs, saveHandoff } from './handoffs.repository';

/**
 * "Get a human". An agent's signed request (handoff.requested) opens a handoff for the role
 * the workspace's manifest names; a person takes it over and returns it, handed back with
 * notes or closed; a timer moves it up the path when nobody takes it within the SLA. Every
 * step is the row's change and its event on handoff.updated (through the outbox) in one
 * transaction: the agent and the audit hear of every step that is stored, and of no other.
 */
@Injectable()
export class HandoffsService {
  constructor(
    private readonly commands: Commands,
    private readonly dataSource: DataSource,
    private readonly manifests: ManifestStore,
    private readonly notifications: NotificationsService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Opens each request of a chunk, in the chunk's transaction; a request read before changes nothing. */
  async open(events: readonly CloudEvent<typeof HANDOFF_REQUESTED>[], ctx: MessageContext, now = new Date()): Promise<void> {
    for (const request of events) {
      const policy = this.manifests.forWorkspace(request.workspaceid).manifest.handoff;
      const { handoff, event } = openHandoff(
        request.data,
        request.workspaceid,
        { escalation_path: policy.escalationPath, sla_minutes: policy.slaMinutes },
        now,
      );
      if (!(await insertHandoff(ctx.manager, handoff))) continue;
      await this.notifications.enqueueHandoff(ctx.manager, handoff, event, now);
      await ctx.emit(event);
      handoffSteps.inc({ step: 'requested' });
      this.logger.info(
        { handoff_id: handoff.id, workspace: handoff.workspace, agent_id: handoff.agent_id, session_id: handoff.session_id },
        describeHandoff(handoff),
      );
    }
  }

  take(person: AuthenticatedReviewer, id: string, now = new Date()): Promise<HandoffView> {
    return this.step(person, id, { kind: 'take' }, now);
  }

  giveBack(person: AuthenticatedReviewer, id: string, command: Extract<HandoffCommand, { kind: 'return' }>, now = new Date()): Promise<HandoffView> {
    return this.step(person, id, command, now);
  }

  private async step(person: AuthenticatedReviewer, id: string, command: HandoffCommand, now: Date): Promise<HandoffView> {
    const handoff = await this.commands.run(async (ctx) => {
      // Locked: of two people taking it at once, the second waits and is told who has it.
      const found = await findHandoff(ctx.manager, id, true);
      if (!found || !this.mayRead(person, found)) throw handoffNotFound(id);
      const outcome = decideHandoff(person, found, command, now);
      if (!outcome.ok) throw handoffRefused(outcome.refusal);
      const saved = await saveHandoff(ctx.manager, outcome.handoff);
      await ctx.emit(outcome.event);
      return saved;
    });
    handoffSteps.inc({ step: command.kind === 'take' ? 'taken' : command.resolution });
    this.logger.info({ handoff_id: handoff.id, workspace: handoff.workspace, by: person.id }, describeHandoff(handoff));
    return this.view(person, handoff);
  }

  /** Moves up the path every handoff nobody took within its SLA (up to `limit`); returns how many it looked at. */
  async escalateDue(now: Date, limit: number): Promise<number> {
    return this.commands.run(async (ctx) => {
      const due = await lockDueHandoffs(ctx.manager, now, limit);
      for (const handoff of due) {
        const outcome = onHandoffDue(handoff, now);
        if (outcome.kind === 'not_due') continue;
        await saveHandoff(ctx.manager, outcome.handoff);
        await this.notifications.enqueueHandoff(ctx.manager, outcome.handoff, outcome.event, now);
        await ctx.emit(outcome.event);
        handoffSteps.inc({ step: 'escalated' });
        // A warning: an end user has waited for a person longer than the manifest promises.
        this.logger.warn(
          { handoff_id: handoff.id, workspace: handoff.workspace, from: outcome.event.data.from_role },
          `${outcome.event.data.reason}: ${describeHandoff(outcome.handoff)}`,
        );
      }
      return due.length;
    });
  }

  async list(person: AuthenticatedReviewer, query: HandoffQuery): Promise<HandoffPage> {
    if (query.workspace !== undefined && !worksIn(person, query.workspace)) throw notYourWorkspace(person.id, query.workspace);
    const workspaces = query.workspace !== undefined ? [query.workspace] : person.workspaces.includes('*') ? null : person.workspaces;
    const rows = await listHandoffs(this.dataSource.manager, query.state === 'waiting', workspaces);
    return { items: rows.filter((h) => this.mayRead(person, h)).map((h) => this.view(person, h)) };
  }

  async detail(person: AuthenticatedReviewer, id: string): Promise<HandoffView> {
    const found = await findHandoff(this.dataSource.manager, id);
    // Not found rather than forbidden: whose sessions exist elsewhere is not the caller's to learn.
    if (!found || !this.mayRead(person, found)) throw handoffNotFound(id);
    return this.view(person, found);
  }

  /** Who reads a handoff (its conversation is an end user's words): those of its workspace holding a role of its path, its taker, and auditors. */
  private mayRead(person: AuthenticatedReviewer, handoff: Handoff): boolean {
    if (!worksIn(person, handoff.workspace)) return false;
    return person.auditor || person.admin || handoff.taken_by === person.id || person.roles.some((role) => handoff.escalation_path.includes(role));
  }

  private view(person: AuthenticatedReviewer, h: Handoff): HandoffView {
    return {
      id: h.id,
      workspace: h.workspace,
      agent_id: h.agent_id,
      session_id: h.session_id,
      on_behalf_of: h.on_behalf_of,
      reason: h.reason,
      transcript: h.transcript,
      requested_at: h.requested_at,
      state: h.state,
      reviewer_role: h.escalation_path[h.tier],
      escalation_path: h.escalation_path,
      tier: h.tier,
      sla_deadline: h.sla_deadline,
      taken_by: h.taken_by,
      taken_at: h.taken_at,
      returned_by: h.returned_by,
      returned_at: h.returned_at,
      notes: h.notes,
      reply: h.reply,
      can_take: refuseTake(person, h) === null,
    };
  }
}
