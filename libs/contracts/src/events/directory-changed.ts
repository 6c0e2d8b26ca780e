import { z } from 'zod';
import { NonEmpty, Uuid } from '../primitives';

// The reviewer directory's changes: who may decide, where, and who said so. Published by
// the escalation service, one event per workspace the change touches, so each workspace's
// auditors see it on their own record. Never carries a token or its hash.

export const DIRECTORY_REVIEWER_CHANGED = 'hitl.directory.reviewer_changed.v1';

/** `changed_by` when the change came from the reviewers file applied at start (a space: never a reviewer id). */
export const REVIEWERS_FILE_ACTOR = 'reviewers file';

export const DirectoryChange = z.enum(['added', 'updated', 'removed', 'token_issued']);
export type DirectoryChange = z.infer<typeof DirectoryChange>;

/** A reviewer as the directory holds them, without secrets: whether a token or an own channel is set, never what it is. */
export const ReviewerSnapshot = z.looseObject({
  name: z.string(),
  roles: z.array(NonEmpty),
  /** `*`: every workspace. */
  workspaces: z.array(NonEmpty),
  available: z.boolean(),
  capacity: z.number().int().min(1).nullable(),
  admin: z.boolean(),
  auditor: z.boolean(),
  /** Other names of the person (e-mail addresses, external ids): an action on behalf of any of them is never theirs to approve. */
  aliases: z.array(NonEmpty),
  /**
   * The reviewer's own channel, where one-click links may go: its kind and a fingerprint that
   * changes with its address (`webhook:sha256:<16 hex>`), never the address; null: none.
   */
  own_channel: z.string().nullable(),
  /** Whether they hold a sign-in token (named so that no record redacts it as a secret). */
  can_sign_in: z.boolean(),
  /** Who last widened the reviewer's roles or workspaces: an admin's id, or null for the reviewers file. */
  granted_by: z.string().nullable(),
});
export type ReviewerSnapshot = z.infer<typeof ReviewerSnapshot>;

export const DirectoryReviewerChangedData = z.looseObject({
  /** One change of the directory; every workspace's copy of it carries the same id (the CloudEvents subject). */
  change_id: Uuid,
  reviewer_id: NonEmpty,
  /** The admin's reviewer id, or REVIEWERS_FILE_ACTOR. */
  changed_by: NonEmpty,
  change: DirectoryChange,
  /** Null for `added`. */
  before: ReviewerSnapshot.nullable(),
  /** Null for `removed`. */
  after: ReviewerSnapshot.nullable(),
});
export type DirectoryReviewerChangedData = z.infer<typeof DirectoryReviewerChangedData>;
