import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Review quality: when each reviewer first opened an approval they may decide
 * (hitl.approval.opened.v1, signed by the escalation service). With the reviewer's resolution
 * of the same approval, the time from opening to deciding. One row per approval and reviewer.
 */
export class CreateOpenings1795313564200 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.openings (
      approval_id uuid NOT NULL,
      reviewer_id text NOT NULL,
      decision_id uuid NOT NULL,
      workspace   text NOT NULL,
      opened_at   timestamptz NOT NULL,
      PRIMARY KEY (approval_id, reviewer_id)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.openings`);
  }
}
