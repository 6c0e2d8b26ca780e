import { readFileSync } from 'node:fs';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { FactoryProvider } from '@nestjs/common';
import { Logger } from 'pino';
import { DriftConfig } from './drift.config';
import { parseOwnerAlertsFile } from './owner-alerts-file';

export const OWNER_ALERT_ROUTES = Symbol('OWNER_ALERT_ROUTES');

/** Where each owner is alerted, and whether drift is watched at all: what "monitoring in place" means for promotion. */
export interface OwnerAlertRoutes {
  webhooks: ReadonlyMap<string, string>;
  /** The file's path, as configured; null: none. */
  path: string | null;
  checking: boolean;
}

/** In place when drift is checked and the action's owner has a route; else what is missing, in words. */
export function monitoringOf(routes: OwnerAlertRoutes, owner: string | null): { in_place: true } | { in_place: false; missing: string } {
  if (!routes.checking) return { in_place: false, missing: 'drift checks are off (DRIFT_CHECK_SECONDS=0)' };
  if (!owner) return { in_place: false, missing: 'no owner to alert' };
  if (!routes.webhooks.has(owner))
    return { in_place: false, missing: `the owner ${owner} has no alert route${routes.path ? ` in ${routes.path}` : ' (OWNER_ALERTS_PATH is not set)'}` };
  return { in_place: true };
}

/** Read once at start; an unreadable or invalid file stops the start, naming each bad field. */
export const ownerAlertRoutesProvider: FactoryProvider<OwnerAlertRoutes> = {
  provide: OWNER_ALERT_ROUTES,
  inject: [SERVICE_CONFIG, SERVICE_LOGGER],
  useFactory: (config: DriftConfig, logger: Logger): OwnerAlertRoutes => {
    const path = config.OWNER_ALERTS_PATH ?? null;
    const webhooks = path === null ? new Map<string, string>() : parseOwnerAlertsFile(readFileSync(path, 'utf8'));
    logger.info({ owner_alerts: path, owners: [...webhooks.keys()], drift_check_seconds: config.DRIFT_CHECK_SECONDS }, 'drift watch and owner alert routes');
    return { webhooks, path, checking: config.DRIFT_CHECK_SECONDS > 0 };
  },
};
