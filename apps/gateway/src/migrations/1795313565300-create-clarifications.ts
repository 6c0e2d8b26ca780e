import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Reviewers' questions about the gateway agents' decisions (approval.updated), and the agents' answers. */
export class CreateClarifications1795313565300 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.clarifications (
      clarification_id uuid PRIMARY KEY,
      decision_id      uuid NOT NULL REFERENCES ${s}.decisions ON DELETE CASCADE,
      approval_id      uuid NOT NULL,
      question         text NOT NULL,
      requested_by     text NOT NULL,
      asked_at         timestamptz NOT NULL,
      answer           text,
      answered_at      timestamptz,
      CHECK ((answer IS NULL) = (answered_at IS NULL))
    )`);
    await runner.query(`CREATE INDEX clarifications_by_decision ON ${s}.clarifications (decision_id, asked_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.clarifications`);
  }
}
