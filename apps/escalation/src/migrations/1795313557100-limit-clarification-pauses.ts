import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A clarification pauses an approval's clocks for at most the manifest's
 * `clarification_timeout_seconds`: each approval keeps its limit (from the manifest that was in
 * force when it opened, like its other timeouts) and, while clarifying, when the pause ends even
 * unanswered. That deadline is a timer like the SLA: every replica scans for it.
 */
export class LimitClarificationPauses1795313557100 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.approvals
      ADD COLUMN clarification_timeout_seconds int NOT NULL DEFAULT 3600 CHECK (clarification_timeout_seconds > 0),
      ADD COLUMN clarification_deadline timestamptz`);
    // Approvals already waiting on an answer get the built-in hour from their open question.
    await runner.query(`UPDATE ${s}.approvals a
        SET clarification_deadline = COALESCE(
          (SELECT max(c.requested_at) FROM ${s}.clarifications c WHERE c.approval_id = a.approval_id AND c.answered_at IS NULL),
          now()) + interval '3600 seconds'
      WHERE a.status = 'clarifying'`);
    await runner.query(`CREATE INDEX approvals_clarification_due ON ${s}.approvals (clarification_deadline) WHERE status = 'clarifying'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP INDEX ${s}.approvals_clarification_due`);
    await runner.query(`ALTER TABLE ${s}.approvals DROP COLUMN clarification_deadline, DROP COLUMN clarification_timeout_seconds`);
  }
}
