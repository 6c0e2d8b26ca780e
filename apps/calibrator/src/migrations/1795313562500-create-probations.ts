import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Probations (control.changed): an action new to a workspace's manifest, or whose entry
 * widened its autonomy, sends every decision to a person until enough reviewed decisions
 * were approved unchanged. One row per probation, from its start and how it ended (the
 * router's graduation with its evidence, or an admin's early end), whichever came first.
 */
export class CreateProbations1795313562500 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.probations (
      id                      uuid PRIMARY KEY,
      workspace               text NOT NULL,
      action                  text NOT NULL,
      reason                  text,
      manifest_version        text,
      decisions               integer,
      approved_unchanged_rate float8,
      started_at              timestamptz,
      state                   text NOT NULL CHECK (state IN ('active', 'graduated', 'ended')),
      reviewed                integer,
      approved_unchanged      integer,
      graduated_at            timestamptz,
      ended_by                text,
      end_reason              text,
      ended_at                timestamptz,
      CHECK ((state = 'graduated') = (graduated_at IS NOT NULL)),
      CHECK ((state = 'ended') = (ended_at IS NOT NULL))
    )`);
    // A report reads those still active, and those started, graduated or ended in its window.
    await runner.query(`CREATE INDEX probations_active ON ${s}.probations (workspace) WHERE state = 'active'`);
    await runner.query(`CREATE INDEX probations_started_at ON ${s}.probations (started_at)`);
    await runner.query(`CREATE INDEX probations_ended ON ${s}.probations ((COALESCE(graduated_at, ended_at))) WHERE state <> 'active'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.probations`);
  }
}
