import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Probation: what each workspace's actions were allowed to do alone under the manifests the
 * router has routed by (to tell a new or widened entry), the probations, and the reviews each
 * counted (one per decision, so a redelivered resolution counts once).
 */
export class CreateProbations1795313562000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.manifest_syncs (
      workspace        text NOT NULL,
      manifest_version text NOT NULL,
      synced_at        timestamptz NOT NULL,
      PRIMARY KEY (workspace, manifest_version)
    )`);
    await runner.query(`CREATE TABLE ${s}.action_profiles (
      workspace        text NOT NULL,
      action           text NOT NULL,
      profile          jsonb NOT NULL,
      manifest_version text NOT NULL,
      PRIMARY KEY (workspace, action)
    )`);
    await runner.query(`CREATE TABLE ${s}.probations (
      id                      uuid PRIMARY KEY,
      workspace               text NOT NULL,
      action                  text NOT NULL,
      reason                  text NOT NULL,
      manifest_version        text NOT NULL,
      decisions               integer NOT NULL CHECK (decisions >= 1),
      approved_unchanged_rate double precision NOT NULL CHECK (approved_unchanged_rate > 0 AND approved_unchanged_rate <= 1),
      started_at              timestamptz NOT NULL,
      state                   text NOT NULL CHECK (state IN ('active', 'graduated', 'ended')),
      reviewed                integer NOT NULL DEFAULT 0,
      approved_unchanged      integer NOT NULL DEFAULT 0,
      over_at                 timestamptz,
      ended_by                text,
      end_reason              text
    )`);
    // One probation in force per workspace and action.
    await runner.query(`CREATE UNIQUE INDEX probations_in_force ON ${s}.probations (workspace, action) WHERE state = 'active'`);
    await runner.query(`CREATE TABLE ${s}.probation_reviews (
      decision_id        uuid PRIMARY KEY,
      probation_id       uuid NOT NULL REFERENCES ${s}.probations (id),
      approved_unchanged boolean NOT NULL,
      reviewed_at        timestamptz NOT NULL
    )`);
    await runner.query(`ALTER TABLE ${s}.decisions ADD COLUMN probation_id uuid`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.decisions DROP COLUMN probation_id`);
    await runner.query(`DROP TABLE ${s}.probation_reviews`);
    await runner.query(`DROP TABLE ${s}.probations`);
    await runner.query(`DROP TABLE ${s}.action_profiles`);
    await runner.query(`DROP TABLE ${s}.manifest_syncs`);
  }
}
