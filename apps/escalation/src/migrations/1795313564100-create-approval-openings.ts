import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each reviewer who may decide an approval first opened it (GET /approvals/:id): what
 * review quality measures the time to decide from. One row per approval and reviewer; the
 * first opening stands.
 */
export class CreateApprovalOpenings1795313564100 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.approval_openings (
      approval_id uuid NOT NULL REFERENCES ${s}.approvals (approval_id) ON DELETE CASCADE,
      reviewer_id text NOT NULL,
      opened_at   timestamptz NOT NULL,
      PRIMARY KEY (approval_id, reviewer_id)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.approval_openings`);
  }
}
