// The reviewer directory's governance: what a change widens, who may make it, whose grant
// the authority then is, and the events that put it on the record. Pure: the change's id and
// `now` are inputs.
import { createHash } from 'node:crypto';
import { AnyEvent, DIRECTORY_REVIEWER_CHANGED, DirectoryChange, ReviewerSnapshot, newEvent } from '@hitl/contracts';
import { Person, isNamed } from './authority';
import { ESCALATION_SOURCE } from './review';

/** A reviewer as the directory keeps them; secrets only as whether they are set. */
export interface DirectoryEntry {
  name: string;
  roles: string[];
  /** `*`: every workspace. */
  workspaces: string[];
  available: boolean;
  capacity: number | null;
  admin: boolean;
  auditor: boolean;
  aliases: string[];
  /** The reviewer's own webhook, where one-click links may go; null: none. */
  notifyWebhook: string | null;
  hasToken: boolean;
  /** Who last widened their roles or workspaces; null: the reviewers file. */
  grantedBy: string | null;
}

/** Why a directory change is refused: an HTTP status, a stable code, plain words. */
export interface DirectoryRefusal {
  status: 403 | 409;
  code: 'self_widening' | 'alias_taken';
  message: string;
}

export const directoryRefusals = {
  selfWidening: (adminId: string, widened: readonly string[]) =>
    ({
      status: 403,
      code: 'self_widening',
      message: `an admin may not widen their own authority (${adminId}: ${widened.join('; ')}); another admin must make this change`,
    }) satisfies DirectoryRefusal,
  aliasTaken: (alias: string, holder: string) =>
    ({ status: 409, code: 'alias_taken', message: `"${alias}" already names reviewer ${holder}: one name, one person` }) satisfies DirectoryRefusal,
} as const;

/** A channel as the record may show it: which kind, and a fingerprint that changes with the address (never the address). */
export function channelFingerprint(webhook: string | null): string | null {
  return webhook === null ? null : `webhook:sha256:${createHash('sha256').update(webhook, 'utf8').digest('hex').slice(0, 16)}`;
}

export function snapshotOf(entry: DirectoryEntry): ReviewerSnapshot {
  return {
    name: entry.name,
    roles: [...entry.roles],
    workspaces: [...entry.workspaces],
    available: entry.available,
    capacity: entry.capacity,
    admin: entry.admin,
    auditor: entry.auditor,
    aliases: [...entry.aliases],
    own_channel: channelFingerprint(entry.notifyWebhook),
    can_sign_in: entry.hasToken,
    granted_by: entry.grantedBy,
  };
}

/** Roles and workspaces `after` holds that `before` did not (a workspace `*` covers them all). */
function widenedGrant(before: DirectoryEntry | null, after: DirectoryEntry): string[] {
  const roles = after.roles.filter((r) => !before?.roles.includes(r));
  const everywhere = before?.workspaces.includes('*') ?? false;
  const workspaces = everywhere ? [] : after.workspaces.filter((w) => !before?.workspaces.includes(w));
  return [...(roles.length ? [`adds role ${roles.join(', ')}`] : []), ...(workspaces.length ? [`adds workspace ${workspaces.join(', ')}`] : [])];
}

/**
 * What a change gives that was not there, in plain words ([] when nothing): roles,
 * workspaces, the admin or auditor flag, and aliases dropped (an action on behalf of a
 * dropped name could then be theirs to approve).
 */
export function widening(before: DirectoryEntry | null, after: DirectoryEntry): string[] {
  const kept = after.aliases.map((a) => a.toLowerCase());
  const dropped = (before?.aliases ?? []).filter((a) => !kept.includes(a.toLowerCase()));
  return [
    ...widenedGrant(before, after),
    ...(after.admin && !before?.admin ? ['makes them an admin'] : []),
    ...(after.auditor && !before?.auditor ? ['makes them an auditor'] : []),
    ...(dropped.length ? [`drops alias ${dropped.join(', ')}`] : []),
  ];
}

/** An admin never widens their own authority: that change is another admin's to make. */
export function refuseSelfChange(admin: Person, reviewerId: string, before: DirectoryEntry | null, after: DirectoryEntry): DirectoryRefusal | null {
  if (!isNamed(admin, reviewerId)) return null;
  const widened = widening(before, after);
  return widened.length ? directoryRefusals.selfWidening(admin.id, widened) : null;
}

/**
 * Whose grant the reviewer's authority is after a change by `changedBy` (null: the
 * reviewers file, which is the grant of whoever deploys it): a new reviewer, or new roles
 * or workspaces, are the changer's grant; anything else leaves the grant as it was.
 */
export function grantAfter(before: DirectoryEntry | null, after: DirectoryEntry, changedBy: string | null): string | null {
  if (changedBy === null) return null;
  if (before === null || widenedGrant(before, after).length > 0) return changedBy;
  return before.grantedBy;
}

export interface DirectoryChangeFacts {
  /** One id for the change; every workspace's event carries it. */
  changeId: string;
  reviewerId: string;
  /** An admin's id, or REVIEWERS_FILE_ACTOR. */
  changedBy: string;
  change: DirectoryChange;
  before: DirectoryEntry | null;
  after: DirectoryEntry | null;
}

/**
 * The change as events, one per workspace it touches (before and after; `*` as it is), so
 * each workspace's auditors find it on their own record. None for an update that changes
 * nothing the record shows.
 */
export function directoryEvents(facts: DirectoryChangeFacts, now: Date): AnyEvent[] {
  const before = facts.before && snapshotOf(facts.before);
  const after = facts.after && snapshotOf(facts.after);
  if (facts.change === 'updated' && JSON.stringify(before) === JSON.stringify(after)) return [];
  const workspaces = [...new Set([...(before?.workspaces ?? []), ...(after?.workspaces ?? [])])].sort();
  const data = { change_id: facts.changeId, reviewer_id: facts.reviewerId, changed_by: facts.changedBy, change: facts.change, before, after };
  return workspaces.map((workspaceid) => newEvent(DIRECTORY_REVIEWER_CHANGED, structuredClone(data), { source: ESCALATION_SOURCE, workspaceid, time: now }));
}
