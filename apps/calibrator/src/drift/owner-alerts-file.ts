// The owners' alert routes (OWNER_ALERTS_PATH): a Slack-compatible webhook per manifest
// `owner`. Pure: text in, routes out, or every problem at once (never a URL: they are secrets).
import { FieldIssue, HttpUrl, fieldIssues } from '@hitl/service-kit';
import { parseDocument } from 'yaml';
import { z } from 'zod';

const OwnerAlertsDocument = z.strictObject({
  webhooks: z.record(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/, { error: 'must be an owner as the manifest names it: letters, digits and _ . : @ -' }),
    HttpUrl,
  ),
});

export class OwnerAlertsFileError extends Error {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(`invalid owner alerts file:\n${issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`);
    this.name = 'OwnerAlertsFileError';
  }
}

/** Owner → webhook URL. */
export function parseOwnerAlertsFile(text: string): ReadonlyMap<string, string> {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new OwnerAlertsFileError(doc.errors.map((e) => ({ field: '(root)', message: `YAML: ${e.message.split('\n')[0]}` })));
  const parsed = OwnerAlertsDocument.safeParse(doc.toJS() ?? {});
  if (!parsed.success) throw new OwnerAlertsFileError(fieldIssues(parsed.error));
  return new Map(Object.entries(parsed.data.webhooks));
}
