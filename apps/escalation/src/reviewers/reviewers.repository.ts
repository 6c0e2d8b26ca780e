import { serviceTable } from '@hitl/service-kit';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ReviewerEntity } from './reviewer.entity';

/** What the directory writes of a reviewer (the token is written apart: it is issued, never set with the rest). */
export interface ReviewerRecord {
  name: string;
  roles: string[];
  workspaces: string[];
  available: boolean;
  capacity: number | null;
  admin: boolean;
  auditor: boolean;
  aliases: string[];
  notify_webhook: string | null;
  granted_by: string | null;
}

/** The reviewers table. Methods that may run inside a caller's transaction take its manager. */
@Injectable()
export class ReviewersRepository {
  constructor(private readonly dataSource: DataSource) {}

  list(): Promise<ReviewerEntity[]> {
    return this.dataSource.manager.find(ReviewerEntity, { order: { id: 'ASC' } });
  }

  find(id: string): Promise<ReviewerEntity | null> {
    return this.dataSource.manager.findOneBy(ReviewerEntity, { id });
  }

  findByTokenHash(tokenHash: string): Promise<ReviewerEntity | null> {
    return this.dataSource.manager.findOneBy(ReviewerEntity, { token_hash: tokenHash });
  }

  /** The reviewer as it stands, locked for the rest of the transaction (changes to one reviewer queue here). */
  async lock(manager: EntityManager, id: string): Promise<ReviewerEntity | null> {
    const rows: ReviewerEntity[] = await manager.query(`SELECT * FROM ${serviceTable(manager, 'reviewers')} WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  /** The id of the reviewer other than `id` whose token has this hash, if any. */
  async tokenHolder(manager: EntityManager, tokenHash: string, id: string): Promise<string | null> {
    const holder = await manager
      .createQueryBuilder(ReviewerEntity, 'r')
      .select('r.id')
      .where('r.token_hash = :tokenHash AND r.id <> :id', { tokenHash, id })
      .getOne();
    return holder?.id ?? null;
  }

  /**
   * Another reviewer already named by one of `names` (as an id or an alias, ignoring case):
   * one name, one person, or the requester check could not tell who is who.
   */
  async nameHolder(manager: EntityManager, id: string, names: readonly string[]): Promise<{ name: string; holder: string } | null> {
    const rows: { name: string; holder: string }[] = await manager.query(
      `SELECT n.name, r.id AS holder
         FROM ${serviceTable(manager, 'reviewers')} r, unnest($2::text[]) AS n(name)
        WHERE r.id <> $1
          AND (lower(r.id) = lower(n.name) OR EXISTS (SELECT 1 FROM unnest(r.aliases) AS a(alias) WHERE lower(a.alias) = lower(n.name)))
        ORDER BY r.id
        LIMIT 1`,
      [id, names],
    );
    return rows[0] ?? null;
  }

  /**
   * Creates or replaces a reviewer; says whether it was created. A null `tokenHash` keeps the
   * stored token (the admin API never sets tokens this way; the file may leave them out).
   */
  async put(
    manager: EntityManager,
    id: string,
    record: ReviewerRecord,
    tokenHash: string | null = null,
  ): Promise<{ reviewer: ReviewerEntity; created: boolean }> {
    const r = record;
    const rows: (ReviewerEntity & { created: boolean })[] = await manager.query(
      `INSERT INTO ${serviceTable(manager, 'reviewers')} AS r
              (id, name, roles, workspaces, available, capacity, admin, auditor, aliases, notify_webhook, granted_by, token_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name, roles = EXCLUDED.roles, workspaces = EXCLUDED.workspaces, available = EXCLUDED.available,
         capacity = EXCLUDED.capacity, admin = EXCLUDED.admin, auditor = EXCLUDED.auditor, aliases = EXCLUDED.aliases,
         notify_webhook = EXCLUDED.notify_webhook, granted_by = EXCLUDED.granted_by,
         token_hash = COALESCE(EXCLUDED.token_hash, r.token_hash), updated_at = now()
       RETURNING r.*, (r.xmax = 0) AS created`,
      [id, r.name, r.roles, r.workspaces, r.available, r.capacity, r.admin, r.auditor, r.aliases, r.notify_webhook, r.granted_by, tokenHash],
    );
    const { created, ...reviewer } = rows[0];
    return { reviewer, created };
  }

  /** Replaces the reviewer's token hash; false when there is no such reviewer. */
  async setTokenHash(manager: EntityManager, id: string, tokenHash: string): Promise<boolean> {
    const result = await manager.update(ReviewerEntity, { id }, { token_hash: tokenHash, updated_at: () => 'now()' });
    return result.affected === 1;
  }

  async remove(manager: EntityManager, id: string): Promise<boolean> {
    const result = await manager.delete(ReviewerEntity, { id });
    return result.affected === 1;
  }
}
