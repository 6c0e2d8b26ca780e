import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { FactoryProvider } from '@nestjs/common';
import { Logger } from 'pino';
import { EscalationConfig } from '../config';
import { NotificationSettings, parseNotificationsFile } from './notifications-file';

/** The notifications file and the link secret, read once at start. */
export interface NotificationOptions extends NotificationSettings {
  /** Null: no one-click links (NOTIFY_LINK_SECRET unset). */
  linkSecret: string | null;
}

export const NOTIFICATION_OPTIONS = Symbol('hitl.escalation.notification-options');

/** Reads the file at start: an unreadable or invalid one stops the service, naming the field. */
export function loadNotificationOptions(config: EscalationConfig, logger: Logger): NotificationOptions {
  const path = resolve(config.NOTIFICATIONS_PATH);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the notifications file ${path} (NOTIFICATIONS_PATH): ${(error as Error).message}`);
  }
  let settings: NotificationSettings;
  try {
    settings = parseNotificationsFile(text);
  } catch (error) {
    throw new Error(`notifications file ${path} (NOTIFICATIONS_PATH): ${(error as Error).message}`);
  }
  const linkSecret = config.NOTIFY_LINK_SECRET ?? null;
  logger.info({ notifications: path, roles: [...settings.webhooks.keys()], one_click_links: linkSecret !== null }, 'notifications loaded');
  if (linkSecret === null) {
    logger.warn('NOTIFY_LINK_SECRET is not set: notifications carry no one-click approve/deny links (set it to at least 32 random characters to enable them)');
  }
  return { ...settings, linkSecret };
}

export const notificationOptionsProvider: FactoryProvider<NotificationOptions> = {
  provide: NOTIFICATION_OPTIONS,
  useFactory: loadNotificationOptions,
  inject: [SERVICE_CONFIG, SERVICE_LOGGER],
};
