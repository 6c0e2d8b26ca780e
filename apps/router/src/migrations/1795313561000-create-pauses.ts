import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operators' pauses (the kill switch), as the router read them from control.changed: every
 * replica reads this table while it routes, so a pause one replica consumed holds on all of
 * them at once, and a restarted replica keeps it. A pause ends only by its resume.
 */
export class CreatePauses1795313561000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.pauses (
      id            uuid PRIMARY KEY,
      workspace     text NOT NULL,
      agent_id      text,
      action        text,
      effect        text NOT NULL CHECK (effect IN ('review', 'block')),
      reason        text NOT NULL,
      paused_by     text NOT NULL,
      paused_at     timestamptz NOT NULL,
      resumed_by    text,
      resumed_at    timestamptz,
      resume_reason text
    )`);
    // Routing reads the pauses in force of a chunk's workspaces.
    await runner.query(`CREATE INDEX pauses_in_force ON ${s}.pauses (workspace) WHERE resumed_at IS NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${serviceSchema(runner)}".pauses`);
  }
}
