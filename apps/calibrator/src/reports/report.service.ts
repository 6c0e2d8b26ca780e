import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { CalibrationPolicy, PostReviewPolicy, REVIEW_QUALITY_POLICY, amountBandEdges, reviewQuality } from '@hitl/calibration';
import { ManifestStore, SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { OWNER_ALERT_ROUTES, OwnerAlertRoutes, monitoringOf } from '../drift/owner-alert-routes';
import { CalibrationConfig } from './calibration.config';
import { assemblePostReviews, assembleReports } from './report-assembly';
import { CalibrationReport, ReportTrigger, reportDocument } from './report-document';
import {
  ReportRecord,
  ReportScope,
  ReportSummary,
  Window,
  accuracyByAction,
  amountBands,
  approvalBands,
  bucketAggregates,
  completedRollbacks,
  editReviews,
  findReport,
  insertReport,
  interventionCounts,
  labelCounts,
  latestReportId,
  listReports,
  postReviewCounts,
  probationsOf,
  reviewedItems,
  scoredCanaries,
} from './reports.repository';
import { reportsGenerated } from './reports.metrics';

const DAY_MS = 86_400_000;

export interface GenerateOptions {
  /** null (the default): every workspace. */
  workspace?: string | null;
  trigger?: ReportTrigger;
  requestedBy?: string | null;
  /** The transaction to work in (the schedule's); else one of its own. */
  manager?: EntityManager;
}

/**
 * Generates a report: aggregates in PostgreSQL, judges with @hitl/calibration against
 * the manifest in force, renders (JSON, Markdown, SVG, the manifest patch) and stores it.
 * The manifest file is read, never written.
 */
@Injectable()
export class ReportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly manifests: ManifestStore,
    @Inject(OWNER_ALERT_ROUTES) private readonly routes: OwnerAlertRoutes,
    @Inject(SERVICE_CONFIG) private readonly config: CalibrationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async generate(now: Date, windowDays: number, options: GenerateOptions = {}): Promise<CalibrationReport> {
    if (!options.manager) return this.dataSource.transaction('REPEATABLE READ', (manager) => this.generate(now, windowDays, { ...options, manager }));
    const manager = options.manager;
    const workspace = options.workspace ?? null;
    const trigger = options.trigger ?? 'request';
    const window: Window = { since: new Date(now.getTime() - windowDays * DAY_MS), until: now, workspace };
    const before: Window = { since: new Date(window.since.getTime() - windowDays * DAY_MS), until: window.since, workspace };

    const buckets = await bucketAggregates(manager, window);
    const interventions = await interventionCounts(manager, window);
    const bands = await approvalBands(manager, window);
    const previous = await accuracyByAction(manager, before);
    const labels = await labelCounts(manager, window);
    const postReviews = await postReviewCounts(manager, window);
    const probations = await probationsOf(manager, window);
    const reviewed = await reviewedItems(manager, window);
    const canaries = await scoredCanaries(manager, window);

    const { manifest, path } = this.manifests.forWorkspace(workspace); // a workspace's report is judged by its own manifest
    const policyOf = (action: string): CalibrationPolicy | null => {
      const policy = manifest.actions.get(action);
      return policy
        ? {
            target_accuracy: this.config.CALIBRATION_TARGET_ACCURACY,
            mode: policy.mode,
            auto_approve_confidence: policy.autoApproveConfidence,
            lowering: {
              escalate_confidence: policy.escalateConfidence,
              severity: policy.severity,
              reversible: policy.reversible,
              approved_unchanged_target: this.config.CALIBRATION_APPROVED_UNCHANGED_TARGET,
              min_reviews: this.config.CALIBRATION_LOWERING_MIN_REVIEWS,
            },
            promotion: {
              mode: policy.mode,
              severity: policy.severity,
              reversible: policy.reversible,
              rollback_window_seconds: policy.rollbackWindowSeconds,
              owner: policy.owner,
              rollback_tested: policy.rollbackTested,
              monitoring: monitoringOf(this.routes, policy.owner),
            },
            edits: { redact: policy.redact, escalate_when: policy.escalateWhen },
            amounts: { auto_approve_below_usd: policy.autoApproveBelowUsd, always_approve_above_usd: policy.alwaysApproveAboveUsd },
          }
        : null;
    };
    // The amount bands of each action that auto-approves below an amount: above that limit, up to where it may reach.
    const limits = [...manifest.actions.values()].flatMap((a) => {
      const edges = a.autoApproveBelowUsd === null ? [] : amountBandEdges(a.autoApproveBelowUsd, a.alwaysApproveAboveUsd);
      return edges.length > 1 ? [{ action: a.name, path: a.amountField.split('.'), edges }] : [];
    });
    const reports = assembleReports(
      {
        buckets,
        interventions,
        previous,
        bands,
        completed_rollbacks: await completedRollbacks(manager, workspace),
        edit_reviews: await editReviews(manager, window),
        amount_bands: await amountBands(manager, window, limits),
      },
      policyOf,
    );
    // Each workspace's post-reviews were sampled by its own manifest (a report over every workspace has several).
    const postReviewPolicyOf = (ws: string, action: string): PostReviewPolicy | null => {
      const policy = this.manifests.forWorkspace(ws).manifest.actions.get(action);
      return policy ? { mode: policy.mode, post_review_sample_rate: policy.postReviewSampleRate } : null;
    };
    const stored = reportDocument({
      id: randomUUID(),
      generatedAt: now,
      trigger,
      requestedBy: options.requestedBy ?? null,
      workspace,
      windowDays,
      since: window.since,
      manifest: { path: displayPath(path), version: manifest.version, text: this.manifestText(path) },
      targetAccuracy: this.config.CALIBRATION_TARGET_ACCURACY,
      lowering: { approvedUnchangedTarget: this.config.CALIBRATION_APPROVED_UNCHANGED_TARGET, minReviews: this.config.CALIBRATION_LOWERING_MIN_REVIEWS },
      unknownOutcomes: labels.unknown_outcomes,
      supersededLabels: labels.superseded_labels,
      reports,
      postReviews: { actions: assemblePostReviews(postReviews.counts, postReviewPolicyOf), unattributed: postReviews.unattributed },
      probations,
      reviewQuality: reviewQuality(reviewed, canaries, { ...REVIEW_QUALITY_POLICY, min_decisions: this.config.CALIBRATION_REVIEW_QUALITY_MIN_DECISIONS }),
    });
    await insertReport(manager, stored, { trigger, requestedBy: options.requestedBy ?? null, windowDays });
    reportsGenerated.inc({ trigger });
    const { body } = stored;
    this.logger.info(
      {
        report: body.id,
        trigger,
        workspace,
        window_days: windowDays,
        labeled: body.labeled_outcomes,
        unknown: body.unknown_outcomes,
        findings: body.findings.length,
        suggestions: body.suggestions.length,
        post_reviews_backed_off: body.post_reviews.actions.filter((a) => a.sampling_backed_off).length,
        probations: { active: body.probations.active.length, graduated: body.probations.graduated.length, ended: body.probations.ended.length },
        rubber_stamps: body.review_quality.flagged,
      },
      'calibration report generated',
    );
    return body;
  }

  find(id: string): Promise<ReportRecord | null> {
    return findReport(this.dataSource.manager, id);
  }

  list(scope: ReportScope, limit: number): Promise<ReportSummary[]> {
    return listReports(this.dataSource.manager, scope, limit);
  }

  async latest(scope: ReportScope): Promise<ReportRecord | null> {
    const id = await latestReportId(this.dataSource.manager, scope);
    return id === null ? null : this.find(id);
  }

  /** The manifest file as it is on disk now: what a suggested patch applies to. */
  private manifestText(path: string): string | null {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      this.logger.warn({ manifest: path, error: (error as Error).message }, 'cannot read the manifest file: the report has no suggestions');
      return null;
    }
  }
}

/** The manifest's path as a patch names it: relative to the working directory (the repository), when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : path;
}
