import { randomUUID } from 'node:crypto';
import { DirectoryEntry, Person, directoryEvents, directoryRefusals, grantAfter, refuseSelfChange } from '@hitl/approvals';
import { DirectoryChange, REVIEWERS_FILE_ACTOR } from '@hitl/contracts';
import { Commands, MessageContext } from '@hitl/messaging';
import { SERVICE_LOGGER, hashToken, newToken } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { NotificationsService } from '../notifications/notifications.service';
import { entryOf } from './reviewer-profile';
import { ReviewerEntity } from './reviewer.entity';
import { ReviewerFields, ReviewerPatch } from './reviewer.schema';
import { directoryRefused, reviewerNotFound } from './reviewers.errors';
import { ReviewerSeed } from './reviewers-file';
import { ReviewerRecord, ReviewersRepository } from './reviewers.repository';

/** The fields a change sets, as the directory's entry (token and grant are the service's to fill in). */
function proposed(fields: ReviewerFields | Required<ReviewerPatch>, before: DirectoryEntry | null): DirectoryEntry {
  return {
    name: fields.name,
    roles: fields.roles,
    workspaces: fields.workspaces,
    available: fields.available,
    capacity: fields.capacity,
    admin: fields.admin,
    auditor: fields.auditor,
    aliases: fields.aliases ?? [],
    notifyWebhook: fields.notify?.webhook ?? null,
    hasToken: before?.hasToken ?? false,
    grantedBy: before?.grantedBy ?? null,
  };
}

function recordOf(entry: DirectoryEntry): ReviewerRecord {
  return {
    name: entry.name,
    roles: entry.roles,
    workspaces: entry.workspaces,
    available: entry.available,
    capacity: entry.capacity,
    admin: entry.admin,
    auditor: entry.auditor,
    aliases: entry.aliases,
    notify_webhook: entry.notifyWebhook,
    granted_by: entry.grantedBy,
  };
}

/** A stored reviewer's fields in the shape of the admin API's PUT body. */
function fieldsOf(entry: DirectoryEntry): Required<ReviewerPatch> {
  const { notifyWebhook, hasToken: _token, grantedBy: _grant, ...rest } = entry;
  return { ...rest, notify: notifyWebhook === null ? null : { webhook: notifyWebhook } };
}

/**
 * Every change to the reviewer directory, governed: load (locked) → check (an admin never
 * widens their own authority; one name, one person) → save → the change on the record
 * (hitl.directory.reviewer_changed.v1 through the outbox, one per workspace it touches), in
 * one transaction. A token issued for a reviewer is also told to them, on their own channel.
 */
@Injectable()
export class DirectoryService {
  constructor(
    private readonly commands: Commands,
    private readonly reviewers: ReviewersRepository,
    private readonly notifications: NotificationsService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Creates or replaces a reviewer (PUT); their token, if any, is kept. */
  put(admin: Person, id: string, fields: ReviewerFields): Promise<{ reviewer: ReviewerEntity; created: boolean }> {
    return this.commands.run(async (ctx) => {
      const stored = await this.reviewers.lock(ctx.manager, id);
      const before = stored && entryOf(stored);
      return this.save(ctx, admin, id, before, proposed(fields, before));
    });
  }

  /** Changes some fields (PATCH); null when there is no such reviewer. */
  patch(admin: Person, id: string, patch: ReviewerPatch): Promise<ReviewerEntity> {
    return this.commands.run(async (ctx) => {
      const stored = await this.reviewers.lock(ctx.manager, id);
      if (!stored) throw reviewerNotFound(id);
      const before = entryOf(stored);
      const set = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
      return (await this.save(ctx, admin, id, before, proposed({ ...fieldsOf(before), ...set }, before))).reviewer;
    });
  }

  async remove(admin: Person, id: string): Promise<void> {
    await this.commands.run(async (ctx) => {
      const stored = await this.reviewers.lock(ctx.manager, id);
      if (!stored || !(await this.reviewers.remove(ctx.manager, id))) throw reviewerNotFound(id);
      await this.record(ctx, admin.id, id, 'removed', entryOf(stored), null);
    });
    this.logger.info({ reviewer: id, by: admin.id }, 'reviewer deleted');
  }

  /**
   * A new random token, returned this once; the previous token stops working. The change is
   * on the record, and the reviewer is told on their own channel (or a log line says nobody could be).
   */
  async issueToken(admin: Person, id: string): Promise<string> {
    const token = newToken();
    const told = await this.commands.run(async (ctx) => {
      const stored = await this.reviewers.lock(ctx.manager, id);
      if (!stored || !(await this.reviewers.setTokenHash(ctx.manager, id, hashToken(token)))) throw reviewerNotFound(id);
      const before = entryOf(stored);
      await this.record(ctx, admin.id, id, 'token_issued', before, { ...before, hasToken: true });
      return this.notifications.tellTokenIssued(ctx.manager, { id, name: stored.name, webhook: stored.notify_webhook }, admin.id, new Date());
    });
    this.logger.info({ reviewer: id, by: admin.id }, 'reviewer token issued');
    if (!told) {
      this.logger.warn(
        { reviewer: id, by: admin.id },
        'a token was issued for a reviewer who has no channel of their own: nobody could be told (set notify.webhook on the reviewer)',
      );
    }
    return token;
  }

  /**
   * The reviewers file at start: each listed reviewer created or reset to it (one
   * transaction), every change on the record as the file's. Returns how many were created.
   */
  applyFile(seeds: readonly ReviewerSeed[], fileError: (message: string) => Error): Promise<number> {
    return this.commands.run(async (ctx) => {
      let created = 0;
      for (const [index, seed] of seeds.entries()) {
        // Checked first so a clash is named, and no database error carrying the hash is logged.
        const holder = seed.tokenHash === null ? null : await this.reviewers.tokenHolder(ctx.manager, seed.tokenHash, seed.id);
        if (holder !== null) throw fileError(`reviewers[${index}] (${seed.id}): its token is already reviewer ${holder}'s`);
        const name = await this.reviewers.nameHolder(ctx.manager, seed.id, [seed.id, ...(seed.fields.aliases ?? [])]);
        if (name !== null) throw fileError(`reviewers[${index}] (${seed.id}): ${directoryRefusals.aliasTaken(name.name, name.holder).message}`);
        const stored = await this.reviewers.lock(ctx.manager, seed.id);
        const before = stored && entryOf(stored);
        const after = { ...proposed(seed.fields, before), grantedBy: null };
        const saved = await this.reviewers.put(ctx.manager, seed.id, recordOf(after), seed.tokenHash);
        if (saved.created) created += 1;
        after.hasToken = saved.reviewer.token_hash !== null;
        if (saved.created || before === null) {
          await this.record(ctx, REVIEWERS_FILE_ACTOR, seed.id, 'added', null, after);
          continue;
        }
        // A token from the file that is not the one stored: issued by the file, then whatever else changed.
        const tokenChanged = seed.tokenHash !== null && seed.tokenHash !== stored?.token_hash;
        if (tokenChanged) await this.record(ctx, REVIEWERS_FILE_ACTOR, seed.id, 'token_issued', before, { ...before, hasToken: true });
        await this.record(ctx, REVIEWERS_FILE_ACTOR, seed.id, 'updated', tokenChanged ? { ...before, hasToken: true } : before, after);
      }
      return created;
    });
  }

  private async save(
    ctx: MessageContext,
    admin: Person,
    id: string,
    before: DirectoryEntry | null,
    wanted: DirectoryEntry,
  ): Promise<{ reviewer: ReviewerEntity; created: boolean }> {
    const refusal = refuseSelfChange(admin, id, before, wanted);
    if (refusal) throw directoryRefused(refusal);
    const name = await this.reviewers.nameHolder(ctx.manager, id, [id, ...wanted.aliases]);
    if (name) throw directoryRefused(directoryRefusals.aliasTaken(name.name, name.holder));
    const after = { ...wanted, grantedBy: grantAfter(before, wanted, admin.id) };
    const saved = await this.reviewers.put(ctx.manager, id, recordOf(after));
    await this.record(ctx, admin.id, id, saved.created ? 'added' : 'updated', before, after);
    this.logger.info({ reviewer: id, by: admin.id }, saved.created ? 'reviewer created' : 'reviewer changed');
    return saved;
  }

  /** The change on the record, in the change's transaction. */
  private async record(
    ctx: MessageContext,
    changedBy: string,
    reviewerId: string,
    change: DirectoryChange,
    before: DirectoryEntry | null,
    after: DirectoryEntry | null,
  ): Promise<void> {
    await ctx.emit(...directoryEvents({ changeId: randomUUID(), reviewerId, changedBy, change, before, after }, new Date()));
  }
}
