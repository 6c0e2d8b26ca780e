import { serviceTable } from '@hitl/service-kit';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ReviewerEntity } from './reviewer.entity';
import { ReviewerFields, ReviewerPatch } from './reviewer.schema';

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
   * Creates or replaces a reviewer's fields; says whether it was created. A null `tokenHash`
   * keeps the stored token (PUT never touches tokens; the file may leave them out).
   */
  async put(
    id: string,
    fields: ReviewerFields,
    tokenHash: string | null = null,
    manager = this.dataSource.manager,
  ): Promise<{ reviewer: ReviewerEntity; created: boolean }> {
    const rows: (ReviewerEntity & { created: boolean })[] = await manager.query(
      `INSERT INTO ${serviceTable(manager, 'reviewers')} AS r (id, name, roles, workspaces, available, capacity, admin, auditor, token_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name, roles = EXCLUDED.roles, workspaces = EXCLUDED.workspaces, available = EXCLUDED.available,
         capacity = EXCLUDED.capacity, admin = EXCLUDED.admin, auditor = EXCLUDED.auditor,
         token_hash = COALESCE(EXCLUDED.token_hash, r.token_hash), updated_at = now()
       RETURNING r.*, (r.xmax = 0) AS created`,
      [id, fields.name, fields.roles, fields.workspaces, fields.available, fields.capacity, fields.admin, fields.auditor, tokenHash],
    );
    const { created, ...reviewer } = rows[0];
    return { reviewer, created };
  }

  /** Changes the given fields; null when there is no such reviewer. */
  async patch(id: string, patch: ReviewerPatch): Promise<ReviewerEntity | null> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    const result = await this.dataSource.manager
      .createQueryBuilder()
      .update(ReviewerEntity)
      .set({ ...set, updated_at: () => 'now()' })
      .where('id = :id', { id })
      .returning('*')
      .execute();
    return (result.raw as ReviewerEntity[])[0] ?? null;
  }

  /** Replaces the reviewer's token hash; false when there is no such reviewer. */
  async setTokenHash(id: string, tokenHash: string): Promise<boolean> {
    const result = await this.dataSource.manager.update(ReviewerEntity, { id }, { token_hash: tokenHash, updated_at: () => 'now()' });
    return result.affected === 1;
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.dataSource.manager.delete(ReviewerEntity, { id });
    return result.affected === 1;
  }
}
