import { DirectoryEntry } from '@hitl/approvals';
import { ReviewerEntity } from './reviewer.entity';

/**
 * A reviewer as handlers see them once authenticated: no token hash, no channel address, and
 * who granted their authority as the rules name it (libs/approvals `Actor.grantedBy`).
 */
export type AuthenticatedReviewer = Omit<ReviewerEntity, 'token_hash' | 'notify_webhook' | 'granted_by'> & { grantedBy: string | null };

/** A reviewer as the admin API shows them: whether a token is set (never its hash), their own channel, whose grant they hold. */
export type ReviewerProfile = Omit<ReviewerEntity, 'token_hash' | 'notify_webhook'> & { notify: { webhook: string } | null; has_token: boolean };

export function withoutToken(reviewer: ReviewerEntity): AuthenticatedReviewer {
  const { token_hash: _hash, notify_webhook: _webhook, granted_by, ...rest } = reviewer;
  return { ...rest, grantedBy: granted_by };
}

export function profileOf(reviewer: ReviewerEntity): ReviewerProfile {
  const { token_hash, notify_webhook, ...rest } = reviewer;
  return { ...rest, notify: notify_webhook === null ? null : { webhook: notify_webhook }, has_token: token_hash !== null };
}

/** The directory's view of a stored reviewer (libs/approvals directory.ts). */
export function entryOf(reviewer: ReviewerEntity): DirectoryEntry {
  return {
    name: reviewer.name,
    roles: reviewer.roles,
    workspaces: reviewer.workspaces,
    available: reviewer.available,
    capacity: reviewer.capacity,
    admin: reviewer.admin,
    auditor: reviewer.auditor,
    aliases: reviewer.aliases,
    notifyWebhook: reviewer.notify_webhook,
    hasToken: reviewer.token_hash !== null,
    grantedBy: reviewer.granted_by,
  };
}
