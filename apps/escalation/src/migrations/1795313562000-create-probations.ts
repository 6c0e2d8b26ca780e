import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Probations, as the router starts and graduates them (control.changed) and admins end them
 * early here: one row per probation, the fold of its events (libs/approvals probations.ts).
 * Over ones are kept: the record of what was on probation, and how it came off.
 */
export class CreateProbations1795313562000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
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
      reviewed                integer CHECK (reviewed >= 0),
      approved_unchanged      integer CHECK (approved_unchanged >= 0),
      ended_by                text,
      end_reason              text,
      ended_at                timestamptz,
      -- Active: no end; graduated: its evidence; ended: who and why.
      CHECK ((state = 'active') = (ended_at IS NULL)),
      CHECK ((state = 'graduated') = (reviewed IS NOT NULL AND approved_unchanged IS NOT NULL)),
      CHECK ((state = 'ended') = (ended_by IS NOT NULL AND end_reason IS NOT NULL))
    )`);
    // GET /probations: those of a few workspaces in one state, the latest first.
    await runner.query(`CREATE INDEX probations_by_workspace ON ${s}.probations (workspace, state, started_at DESC)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.probations`);
  }
}
