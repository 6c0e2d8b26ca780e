import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Review quality. `approval_openings`: when each reviewer who may decide an approval first
 * opened it (GET /approvals/:id), what the time to decide is measured from; one row per
 * approval and reviewer, the first opening standing. `approvals.canary`: set on a canary (a
 * known-answer item of the manifest mixed into a queue): what it expects; null on every real
 * approval. Never shown to reviewers.
 */
export class ReviewQuality1795313564100 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.approval_openings (
      approval_id uuid NOT NULL REFERENCES ${s}.approvals (approval_id) ON DELETE CASCADE,
      reviewer_id text NOT NULL,
      opened_at   timestamptz NOT NULL,
      PRIMARY KEY (approval_id, reviewer_id)
    )`);
    await runner.query(`ALTER TABLE ${s}.approvals ADD COLUMN canary jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.approvals DROP COLUMN canary`);
    await runner.query(`DROP TABLE ${s}.approval_openings`);
  }
}
