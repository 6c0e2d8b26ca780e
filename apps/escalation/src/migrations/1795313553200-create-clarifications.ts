import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateClarifications1795313553200 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    // A reviewer's question to the agent and its answer; the approval's clocks stand still in between.
    await runner.query(`CREATE TABLE ${s}.clarifications (
      clarification_id uuid PRIMARY KEY,
      approval_id      uuid NOT NULL REFERENCES ${s}.approvals ON DELETE CASCADE,
      question         text NOT NULL,
      requested_by     text NOT NULL,
      requested_at     timestamptz NOT NULL DEFAULT now(),
      answer           text,
      provided_by      text,
      answered_at      timestamptz,
      CONSTRAINT answered_whole CHECK ((answer IS NULL) = (answered_at IS NULL) AND (answer IS NULL) = (provided_by IS NULL))
    )`);
    await runner.query(`CREATE INDEX clarifications_by_approval ON ${s}.clarifications (approval_id, requested_at)`);
    // The agent's recent record on an action, shown beside each approval.
    await runner.query(
      `CREATE INDEX approvals_resolved_by_agent ON ${s}.approvals (workspace, agent_id, action, resolved_at DESC) WHERE resolved_at IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP INDEX ${s}.approvals_resolved_by_agent`);
    await runner.query(`DROP TABLE ${s}.clarifications`);
  }
}
