import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { APPROVAL_RESOLVED, CloudEvent } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import {
  ClassificationAct,
  ClassificationRefused,
  ClassificationTally,
  UnknownActionSighting,
  classificationId,
  classificationPatch,
  classificationRefusal,
  closedRefusal,
  tallySightings,
  unknownActionSighting,
} from '@hitl/policy';
import { ClassificationItem, ClassificationPage, ClassificationQuery, ClassifyAnswer, ClassifyBody } from '@hitl/reviewer-api';
import { ManifestStore, SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { EscalationConfig } from '../config';
import { operationsAlerts } from '../intake/intake.metrics';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { classificationNotFound, classificationRefused, manifestUnreadable } from './classifications.errors';
import { classificationsClosed, unknownActionSightings } from './classifications.metrics';
import {
  ClassificationRow,
  anyoneHolds,
  closeItem,
  findItem,
  insertItem,
  listItems,
  markAlerted,
  recordSightings,
  updateTally,
} from './classifications.repository';

/** Items a list reads at most (unknown action names per workspace are few; more is an agent gone wrong). */
const LIST_LIMIT = 1000;

/**
 * Unknown actions, classified by a person. The router blocks each decision of an action its
 * manifest does not know (the agent never waits); here each block counts once on one item per
 * workspace and action, which the manifest's `unknown_actions.classify_role` classifies into a
 * suggested manifest change, or dismisses. Nothing here emits an event: classifying approves
 * no blocked decision.
 */
@Injectable()
export class ClassificationsService {
  constructor(
    private readonly manifests: ManifestStore,
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** The router's blocks of unknown actions among these resolutions, counted in the message's transaction. */
  async record(resolutions: CloudEvent<typeof APPROVAL_RESOLVED>[], ctx: MessageContext): Promise<void> {
    const sightings = resolutions.flatMap((event) => {
      // Who signed it, as the transport verified it: only the router's key counts.
      const sighting = unknownActionSighting(event, ctx.signer(event.id));
      return sighting ? [{ itemId: classificationId(sighting.workspace, sighting.action), sighting }] : [];
    });
    if (sightings.length === 0) return;
    const fresh = await recordSightings(ctx.manager, sightings);
    const byItem = new Map<string, UnknownActionSighting[]>();
    for (const { itemId, sighting } of sightings) {
      if (fresh.has(sighting.decisionId)) byItem.set(itemId, [...(byItem.get(itemId) ?? []), sighting]);
    }
    // Items locked in one order, so two partitions' transactions never wait on each other in a circle.
    for (const [itemId, seen] of [...byItem].sort(([a], [b]) => a.localeCompare(b))) {
      const { workspace, action } = seen[0];
      const first = tallySightings(null, seen);
      if (!first) continue;
      if (await insertItem(ctx.manager, itemId, workspace, action, first)) {
        unknownActionSightings.inc(first.occurrences);
        await this.opened(ctx.manager, itemId, workspace, action);
        continue;
      }
      const row = await findItem(ctx.manager, itemId, true);
      if (!row) throw new Error(`classification item ${itemId} vanished inside its own transaction`);
      const tally = tallySightings(tallyOf(row), seen);
      if (!tally || tally.occurrences === row.occurrences) continue;
      await updateTally(ctx.manager, itemId, tally);
      unknownActionSightings.inc(tally.occurrences - row.occurrences);
    }
  }

  /** A new item: operations are alerted (once) when nobody can classify it. */
  private async opened(manager: EntityManager, itemId: string, workspace: string, action: string): Promise<void> {
    const role = this.manifests.forWorkspace(workspace).manifest.classifyRole;
    const at = { classification_id: itemId, workspace, action, classify_role: role };
    if (role !== null && (await anyoneHolds(manager, workspace, role))) {
      this.logger.info(at, 'unknown action blocked: an item waits for its classification');
      return;
    }
    await markAlerted(manager, itemId, new Date());
    operationsAlerts.inc({ kind: 'unclassified_action', role: role ?? 'none' });
    this.logger.warn(
      at,
      role === null
        ? 'operations alert: an unknown action was blocked and the manifest names no unknown_actions.classify_role, so nobody is asked to classify it'
        : `operations alert: an unknown action was blocked and no reviewer of the workspace holds ${role} to classify it`,
    );
  }

  /** Items the caller may read (their role, or auditors), of their workspaces. */
  async list(reviewer: AuthenticatedReviewer, query: ClassificationQuery): Promise<ClassificationPage> {
    const workspaces = reviewer.workspaces.includes('*') ? null : reviewer.workspaces;
    const rows = await listItems(this.dataSource.manager, query.status, workspaces, LIST_LIMIT);
    return { items: rows.filter((row) => this.refusal(reviewer, row, 'read') === null).map((row) => this.view(row)) };
  }

  async detail(reviewer: AuthenticatedReviewer, id: string): Promise<ClassificationItem> {
    const row = await findItem(this.dataSource.manager, id);
    if (!row) throw classificationNotFound(id);
    const refusal = this.refusal(reviewer, row, 'read');
    if (refusal) throw classificationRefused(refusal);
    return this.view(row);
  }

  /**
   * The suggested manifest change for the item's action, as a unified diff of the manifest file
   * the service loaded for the workspace; the item is marked classified. Nothing is applied and
   * nothing is approved: the blocked decisions stay blocked, and once the change is reviewed
   * and in force the agent's next proposal is routed by it.
   */
  async classify(reviewer: AuthenticatedReviewer, id: string, body: ClassifyBody, now = new Date()): Promise<ClassifyAnswer> {
    const answer = await this.dataSource.transaction(async (manager) => {
      const row = await this.lockForClosing(manager, reviewer, id, 'classify');
      const inForce = this.manifests.forWorkspace(row.workspace);
      let text: string;
      try {
        text = readFileSync(inForce.path, 'utf8');
      } catch {
        throw manifestUnreadable(displayPath(inForce.path));
      }
      const manifestPath = displayPath(inForce.path);
      const scope = inForce.workspace === null ? 'the default manifest (every workspace without its own)' : `the manifest of ${row.workspace}`;
      const note =
        `classified by ${reviewer.id} on ${now.toISOString().slice(0, 10)} for ${scope}: ${row.occurrences} blocked decision(s) of workspace ${row.workspace}, ` +
        `${row.first_seen_at.toISOString()} to ${row.last_seen_at.toISOString()}`;
      let suggested;
      try {
        suggested = classificationPatch({
          manifestPath,
          manifestYaml: text,
          action: row.action,
          classification: body,
          note,
          options: { minTierShareSeconds: this.config.MANIFEST_MIN_TIER_SHARE_SECONDS },
        });
      } catch (error) {
        if (error instanceof ClassificationRefused) throw classificationRefused(error.refusal);
        throw error;
      }
      const closed = await closeItem(manager, id, { status: 'classified', by: reviewer.id, at: now, classification: body, patch: suggested.patch });
      return {
        classification: this.view(closed),
        patch: suggested.patch,
        manifest_path: manifestPath,
        manifest_version: inForce.manifest.version,
        mode: suggested.action.mode,
      };
    });
    classificationsClosed.inc({ outcome: 'classified' });
    this.logger.info(
      {
        classification_id: id,
        workspace: answer.classification.workspace,
        action: answer.classification.action,
        by: reviewer.id,
        manifest: answer.manifest_path,
      },
      'unknown action classified: a manifest change is suggested for review',
    );
    return answer;
  }

  /** Not an action to classify (e.g. a name the agent got wrong): closed with the reason; it stays blocked. */
  async dismiss(reviewer: AuthenticatedReviewer, id: string, reason: string, now = new Date()): Promise<ClassificationItem> {
    const item = await this.dataSource.transaction(async (manager) => {
      await this.lockForClosing(manager, reviewer, id, 'dismiss');
      return this.view(await closeItem(manager, id, { status: 'dismissed', by: reviewer.id, at: now, reason }));
    });
    classificationsClosed.inc({ outcome: 'dismissed' });
    this.logger.info({ classification_id: id, workspace: item.workspace, action: item.action, by: reviewer.id }, 'unknown action dismissed');
    return item;
  }

  /** The item, locked, when the caller may close it and it is open; the refusal otherwise. */
  private async lockForClosing(manager: EntityManager, reviewer: AuthenticatedReviewer, id: string, act: ClassificationAct): Promise<ClassificationRow> {
    const row = await findItem(manager, id, true);
    if (!row) throw classificationNotFound(id);
    const refusal = this.refusal(reviewer, row, act) ?? closedRefusal(row.status);
    if (refusal) throw classificationRefused(refusal);
    return row;
  }

  private refusal(reviewer: AuthenticatedReviewer, row: ClassificationRow, act: ClassificationAct) {
    return classificationRefusal(reviewer, row.workspace, this.manifests.forWorkspace(row.workspace).manifest.classifyRole, act);
  }

  private view(row: ClassificationRow): ClassificationItem {
    return {
      id: row.id,
      workspace: row.workspace,
      action: row.action,
      status: row.status,
      occurrences: row.occurrences,
      first_seen_at: row.first_seen_at.toISOString(),
      last_seen_at: row.last_seen_at.toISOString(),
      examples: row.examples,
      classify_role: this.manifests.forWorkspace(row.workspace).manifest.classifyRole,
      manifest_version: row.manifest_version,
      closed_by: row.closed_by,
      closed_at: row.closed_at?.toISOString() ?? null,
      classification: row.classification,
      suggested_patch: row.suggested_patch,
      dismiss_reason: row.dismiss_reason,
    };
  }
}

function tallyOf(row: ClassificationRow): ClassificationTally {
  return {
    occurrences: row.occurrences,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    examples: row.examples,
    manifestVersion: row.manifest_version,
  };
}

/** The manifest's path as a patch names it: relative to the working directory (the repository), when inside it. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : path;
}
