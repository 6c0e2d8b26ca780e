import { randomUUID } from 'node:crypto';
import { CONTROL_PROBATION_GRADUATED, CONTROL_PROBATION_STARTED, ControlProbationEndedData, newEvent } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { AutonomyProfile, autonomyProfile, graduates, probationReason } from '@hitl/policy';
import { ManifestStore, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { ROUTER_SOURCE } from '../routing/outcome-events';
import { probationsCounted } from './probation.metrics';
import { countReviews, endProbation, graduate, lockSync, saveSync, startProbation, storedProfiles, unsynced } from './probation.repository';

/**
 * Probation, the router's side: when it first routes by a workspace's manifest version it
 * compares each action with what it allowed before (a new action, or one whose entry widens
 * its autonomy, goes on probation: hitl.control.probation_started.v1); it counts each
 * reviewer's resolution of a decision routed under a probation, and graduates the probation
 * once enough were approved unchanged (probation_graduated.v1); an admin's early end (from the
 * escalation service) ends it. All in the caller's transaction.
 */
@Injectable()
export class ProbationService {
  /**
   * Workspace manifest versions seen compared in the database (committed, by any replica):
   * a comparison is never undone, so a chunk routed by one of these need not ask again.
   */
  private readonly compared = new Set<string>();

  constructor(
    private readonly manifests: ManifestStore,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Compares any manifest version of these workspaces not compared yet (probations it starts are in force at once). */
  async compareVersions(ctx: MessageContext, workspaces: readonly string[], now: Date): Promise<void> {
    const key = (p: { workspace: string; version: string }) => `${p.workspace}\u0000${p.version}`;
    const wanted = [...new Set(workspaces)]
      .map((workspace) => ({ workspace, version: this.manifests.forWorkspace(workspace).manifest.version }))
      .filter((p) => !this.compared.has(key(p)));
    const toCompare = await unsynced(ctx.manager, wanted);
    for (const p of wanted) if (!toCompare.some((u) => key(u) === key(p))) this.compared.add(key(p));
    for (const { workspace, version } of toCompare) await this.sync(ctx, workspace, version, now);
  }

  /** Reviewers' resolutions of decisions routed under a probation: counted once each; a probation that earned it graduates. */
  async countReviews(
    ctx: MessageContext,
    reviews: readonly { decision_id: string; approved_unchanged: boolean; reviewed_at: Date }[],
    now: Date,
  ): Promise<void> {
    for (const p of await countReviews(ctx.manager, reviews)) {
      probationsCounted.inc();
      if (!graduates(p) || !(await graduate(ctx.manager, p.id, now))) continue;
      await ctx.emit(
        newEvent(
          CONTROL_PROBATION_GRADUATED,
          {
            probation_id: p.id,
            action: p.action,
            reviewed: p.reviewed,
            approved_unchanged: p.approved_unchanged,
            decisions: p.decisions,
            approved_unchanged_rate: p.approved_unchanged_rate,
          },
          { source: ROUTER_SOURCE, workspaceid: p.workspace, time: now },
        ),
      );
      this.logger.info(
        { probation: p.id, workspace: p.workspace, action: p.action, reviewed: p.reviewed, approved_unchanged: p.approved_unchanged },
        `${p.action} graduated from probation: it is routed by its manifest entry again`,
      );
    }
  }

  async end(ctx: MessageContext, workspace: string, data: ControlProbationEndedData, at: Date): Promise<void> {
    if (await endProbation(ctx.manager, data.probation_id, data.ended_by, data.reason, at)) {
      this.logger.warn(
        { probation: data.probation_id, workspace, action: data.action, by: data.ended_by, reason: data.reason },
        `${data.action}: probation ended early`,
      );
    }
  }

  private async sync(ctx: MessageContext, workspace: string, version: string, now: Date): Promise<void> {
    if (!(await lockSync(ctx.manager, workspace, version))) return; // another replica compared it meanwhile
    const { manifest } = this.manifests.forWorkspace(workspace);
    const before = await storedProfiles(ctx.manager, workspace);
    // The first manifest the router routes a workspace by is where it starts from: nothing is new yet.
    const baseline = before.size === 0;
    const after = new Map<string, AutonomyProfile>();
    for (const action of manifest.actions.values()) {
      const profile = autonomyProfile(action);
      after.set(action.name, profile);
      if (baseline || action.probation.decisions === 0) continue;
      const reason = probationReason(before.get(action.name) ?? null, profile, workspace);
      if (reason === null) continue;
      const id = randomUUID();
      const started = await startProbation(ctx.manager, {
        id,
        workspace,
        action: action.name,
        reason,
        manifest_version: version,
        decisions: action.probation.decisions,
        approved_unchanged_rate: action.probation.approvedUnchangedRate,
        started_at: now,
      });
      if (!started) continue; // already on probation
      await ctx.emit(
        newEvent(
          CONTROL_PROBATION_STARTED,
          {
            probation_id: id,
            action: action.name,
            reason,
            manifest_version: version,
            decisions: action.probation.decisions,
            approved_unchanged_rate: action.probation.approvedUnchangedRate,
          },
          { source: ROUTER_SOURCE, workspaceid: workspace, time: now },
        ),
      );
      this.logger.warn({ probation: id, workspace, action: action.name, reason }, `${action.name} on probation: every decision of it goes to a person`);
    }
    await saveSync(ctx.manager, workspace, version, after, now);
  }
}
