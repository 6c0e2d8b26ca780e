import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications about handoffs: the role a handoff waits for is told in its shared channel
 * when it opens and when it moves up the path, like an approval's placement. A notification
 * is about an approval, a handoff, or (a token issued) neither.
 */
export class NotifyHandoffs1795313563100 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.notifications
      ADD COLUMN handoff_id uuid REFERENCES ${s}.handoffs ON DELETE CASCADE,
      DROP CONSTRAINT notifications_kind_check,
      ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('assigned', 'reassigned', 'escalated', 'token_issued', 'handoff_opened', 'handoff_escalated')),
      DROP CONSTRAINT notifications_addressed,
      ADD CONSTRAINT notifications_addressed CHECK (
        CASE channel WHEN 'role' THEN role IS NOT NULL AND num_nonnulls(approval_id, handoff_id) = 1 ELSE reviewer_id IS NOT NULL END)`);
    await runner.query(`CREATE INDEX notifications_by_handoff ON ${s}.notifications (handoff_id, id) WHERE handoff_id IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DELETE FROM ${s}.notifications WHERE handoff_id IS NOT NULL`);
    await runner.query(`ALTER TABLE ${s}.notifications
      DROP CONSTRAINT notifications_addressed,
      ADD CONSTRAINT notifications_addressed CHECK (
        CASE channel WHEN 'role' THEN role IS NOT NULL AND approval_id IS NOT NULL ELSE reviewer_id IS NOT NULL END),
      DROP CONSTRAINT notifications_kind_check,
      ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('assigned', 'reassigned', 'escalated', 'token_issued')),
      DROP COLUMN handoff_id`);
  }
}
