import { FieldIssue, HttpUrl, fieldIssues } from '@hitl/service-kit';
// The notifications file (NOTIFICATIONS_PATH): where each role's notifications go and how
// links are built. Pure: text in, settings out, or every problem at once.
import { parseDocument } from 'yaml';
import { z } from 'zod';

const ROLE = /^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/;

const NotificationsDocument = z.strictObject({
  /** Where people reach this service: links are `<public_url>/approvals/<id>` and `<public_url>/links/<token>`. */
  public_url: HttpUrl.refine((url) => !/[?#]/.test(url), { error: 'must not have a query or a fragment' }),
  /**
   * Where reviewers sign in to the console (e.g. http://127.0.0.1:3005): "Open the approval"
   * links go to `<console_url>/approvals/<id>`. Unset: to `<public_url>/approvals/<id>` (the API,
   * which needs a reviewer's token too).
   */
  console_url: HttpUrl.refine((url) => !/[?#]/.test(url), { error: 'must not have a query or a fragment' }).optional(),
  /** A Slack-compatible incoming webhook per role of the escalation paths; roles not listed get no notifications. */
  webhooks: z.record(z.string().regex(ROLE, { error: 'must be a role: letters, digits and _ . : @ -' }), HttpUrl).default({}),
  /** How long one-click links work after the notification is written. */
  link_ttl_minutes: z
    .number({ error: 'must be a whole number of minutes from 1 to 10080' })
    .int({ error: 'must be a whole number of minutes from 1 to 10080' })
    .min(1, { error: 'must be a whole number of minutes from 1 to 10080' })
    .max(10_080, { error: 'must be a whole number of minutes from 1 to 10080' })
    .default(60),
});

export interface NotificationSettings {
  /** Without a trailing slash. */
  publicUrl: string;
  /** Where reviewers sign in to the console, without a trailing slash; undefined: not given. */
  consoleUrl?: string;
  webhooks: ReadonlyMap<string, string>;
  linkTtlMinutes: number;
}

export class NotificationsFileError extends Error {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(`invalid notifications file:\n${issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`);
    this.name = 'NotificationsFileError';
  }
}

/** Parses and validates the notifications file; throws a NotificationsFileError naming each bad field (never a webhook URL: they are secrets). */
export function parseNotificationsFile(text: string): NotificationSettings {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new NotificationsFileError(doc.errors.map((e) => ({ field: '(root)', message: `YAML: ${e.message.split('\n')[0]}` })));
  }
  const parsed = NotificationsDocument.safeParse(doc.toJS() ?? {});
  if (!parsed.success) throw new NotificationsFileError(fieldIssues(parsed.error));
  return {
    publicUrl: parsed.data.public_url.replace(/\/+$/, ''),
    consoleUrl: parsed.data.console_url?.replace(/\/+$/, ''),
    webhooks: new Map(Object.entries(parsed.data.webhooks)),
    linkTtlMinutes: parsed.data.link_ttl_minutes,
  };
}
