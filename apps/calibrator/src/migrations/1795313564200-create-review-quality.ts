import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Review quality. `openings`: when each reviewer first opened an approval they may decide
 * (hitl.approval.opened.v1, signed by the escalation service); with the reviewer's resolution
 * of the same approval, the time from opening to deciding. `canaries`: known-answer items
 * answered or missed (hitl.approval.canary_scored.v1), one row each, the first score standing.
 * Canaries live only here: they are never decisions nor resolutions, so never calibrated.
 */
export class CreateReviewQuality1795313564200 implements MigrationInterface {
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
    await runner.query(`CREATE TABLE ${s}.canaries (
      approval_id   uuid PRIMARY KEY,
      decision_id   uuid NOT NULL,
      workspace     text NOT NULL,
      reviewer_id   text,
      reviewer_role text NOT NULL,
      action        text NOT NULL,
      expected      text NOT NULL CHECK (expected IN ('approve', 'deny')),
      answered      text CHECK (answered IN ('approve', 'edit', 'deny')),
      correct       boolean,
      scored_at     timestamptz NOT NULL,
      CHECK ((answered IS NULL) = (correct IS NULL))
    )`);
    await runner.query(`CREATE INDEX canaries_scored_at ON ${s}.canaries (scored_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.canaries`);
    await runner.query(`DROP TABLE ${s}.openings`);
  }
}
