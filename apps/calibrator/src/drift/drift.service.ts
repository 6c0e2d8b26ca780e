import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CalibrationConfig } from '../reports/calibration.config';
import { displayPath } from '../reports/report.service';
import { DriftAlert, DriftPolicy, checkDrift, demotionPatch, driftAlertText } from '@hitl/calibration';
import { ManifestStore, SERVICE_CONFIG, SERVICE_LOGGER, postWebhook, settleAfterPost } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { DriftConfig } from './drift.config';
import { driftAlerts, ownerAlertPosts } from './drift.metrics';
import {
  AlertSettlement,
  OwnerAlertRow,
  findAlert,
  insertAlert,
  listAlerts,
  listWatches,
  loadWatches,
  lockDueAlerts,
  recentRecords,
  saveWatches,
  settleAlert,
  tryLockCheck,
} from './drift.repository';
import { OWNER_ALERT_ROUTES, OwnerAlertRoutes } from './owner-alert-routes';

export const ALERT_BATCH = 20;

/**
 * The drift watch: each check reads every action's sliding window in SQL, judges it with
 * @hitl/calibration against the manifest in force, and in one transaction moves the watches
 * and writes an alert (with its demotion diff) for each episode begun. Alerts are posted to
 * the owner's webhook from the table, retried with backoff, so none is lost to a restart.
 */
@Injectable()
export class DriftService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly manifests: ManifestStore,
    @Inject(OWNER_ALERT_ROUTES) private readonly routes: OwnerAlertRoutes,
    @Inject(SERVICE_CONFIG) private readonly config: DriftConfig & CalibrationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** One check; returns the alerts it raised (none when another replica holds the check). */
  check(now = new Date()): Promise<OwnerAlertRow[]> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await tryLockCheck(manager))) return [];
      const records = await recentRecords(manager, now, this.config.DRIFT_WINDOW);
      const result = checkDrift(await loadWatches(manager), records, (ws, action) => this.policyOf(ws, action), now, this.config.DRIFT_WINDOW);
      await saveWatches(manager, result.watches, now);
      const raised: OwnerAlertRow[] = [];
      for (const alert of result.alerts) raised.push(await this.raise(manager, alert, now));
      for (const r of result.recovered)
        this.logger.info({ workspace: r.workspace, action: r.action, since: r.since }, 'drift ended: the action is back at its bounds');
      return raised;
    });
  }

  /** Posts the alerts due (up to a batch); returns how many it handled. */
  deliver(now = new Date()): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await lockDueAlerts(manager, now, ALERT_BATCH);
      for (const alert of due) {
        const settlement = await this.post(alert, now);
        await settleAlert(manager, alert.id, settlement);
        ownerAlertPosts.inc({ outcome: settlement.delivery === 'pending' ? 'retry' : settlement.delivery });
        const fields = { alert: alert.id, action: alert.action, owner: alert.owner, attempts: settlement.attempts };
        if (settlement.delivery === 'pending') this.logger.warn({ ...fields, error: settlement.error }, 'drift alert not delivered; will retry');
        else if (settlement.delivery !== 'sent') this.logger.error({ ...fields, error: settlement.error }, 'drift alert not delivered; given up');
      }
      return due.length;
    });
  }

  alerts(workspaces: string[] | null, limit: number): Promise<OwnerAlertRow[]> {
    return listAlerts(this.dataSource.manager, workspaces, limit);
  }

  alert(id: string): Promise<OwnerAlertRow | null> {
    return findAlert(this.dataSource.manager, id);
  }

  watches(workspaces: string[] | null) {
    return listWatches(this.dataSource.manager, workspaces);
  }

  private policyOf(workspace: string, action: string): DriftPolicy | null {
    const policy = this.manifests.forWorkspace(workspace).manifest.actions.get(action);
    return policy
      ? {
          mode: policy.mode,
          severity: policy.severity,
          reversible: policy.reversible,
          auto_approve_confidence: policy.autoApproveConfidence,
          owner: policy.owner,
          target_accuracy: this.config.CALIBRATION_TARGET_ACCURACY,
          approval_drop: this.config.DRIFT_APPROVAL_DROP,
        }
      : null;
  }

  private async raise(manager: EntityManager, alert: DriftAlert, now: Date): Promise<OwnerAlertRow> {
    const { path } = this.manifests.forWorkspace(alert.workspace);
    const text = driftAlertText(alert);
    const patch = demotionPatch(
      displayPath(path),
      this.manifestText(path) ?? '',
      alert.action,
      alert.demotion,
      `drift ${now.toISOString().slice(0, 10)}: ${alert.reasons.join('; ')}`,
    );
    const routed = alert.owner !== null && this.routes.webhooks.has(alert.owner);
    const row: OwnerAlertRow = {
      id: randomUUID(),
      workspace: alert.workspace,
      action: alert.action,
      owner: alert.owner,
      reasons: alert.reasons,
      demotion: alert.demotion,
      patch,
      created_at: now.toISOString(),
      delivery: routed ? 'pending' : 'no_route',
      attempts: 0,
      last_error: routed ? null : alert.owner === null ? 'the action has no owner' : `no alert route for the owner ${alert.owner}`,
      delivered_at: null,
    };
    await insertAlert(manager, row);
    driftAlerts.inc({ action: alert.action });
    this.logger.warn({ alert: row.id, workspace: alert.workspace, action: alert.action, owner: alert.owner, delivery: row.delivery }, text);
    return row;
  }

  private async post(alert: OwnerAlertRow, now: Date): Promise<AlertSettlement> {
    const url = alert.owner === null ? undefined : this.routes.webhooks.get(alert.owner);
    if (!url) return { delivery: 'no_route', attempts: alert.attempts, error: `no alert route for the owner ${alert.owner} any more` };
    const settled = settleAfterPost(await postWebhook(url, JSON.stringify(ownerAlertMessage(alert))), alert.attempts + 1, now);
    switch (settled.status) {
      case 'sent':
        return { delivery: 'sent', attempts: settled.attempts, at: now };
      case 'pending':
        return { delivery: 'pending', attempts: settled.attempts, nextAttemptAt: settled.nextAttemptAt, error: settled.error };
      case 'failed':
        return { delivery: 'failed', attempts: settled.attempts, error: settled.error };
    }
  }

  private manifestText(path: string): string | null {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  }
}

/** A Slack-compatible message: the text people read, and the alert itself for machines. */
export function ownerAlertMessage(alert: OwnerAlertRow): { text: string; hitl: object } {
  const text = driftAlertText({ workspace: alert.workspace, action: alert.action, owner: alert.owner, reasons: alert.reasons, demotion: alert.demotion });
  return {
    text: alert.patch ? `${text}\nThe demotion, for review:\n\`\`\`\n${alert.patch.trimEnd()}\n\`\`\`` : text,
    hitl: {
      type: 'drift_alert',
      id: alert.id,
      workspace: alert.workspace,
      action: alert.action,
      owner: alert.owner,
      reasons: alert.reasons,
      demotion: alert.demotion,
      patch: alert.patch,
    },
  };
}
