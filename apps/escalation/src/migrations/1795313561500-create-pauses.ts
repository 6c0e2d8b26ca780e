import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The kill switch: an admin's pauses of an agent, an action or a whole workspace (null agent
 * or action: any), each in force until resumed, explicitly and with a reason. Resumed pauses
 * are kept: they are the record of who stopped what, and why.
 */
export class CreatePauses1795313561500 implements MigrationInterface {
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
      resume_reason text,
      -- Resumed all at once, or not at all.
      CHECK ((resumed_at IS NULL) = (resumed_by IS NULL) AND (resumed_at IS NULL) = (resume_reason IS NULL))
    )`);
    // What covers an approval, and GET /pauses: the active ones of a few workspaces.
    await runner.query(`CREATE INDEX pauses_active_by_workspace ON ${s}.pauses (workspace, paused_at DESC) WHERE resumed_at IS NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.pauses`);
  }
}
