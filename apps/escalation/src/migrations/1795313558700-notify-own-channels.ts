import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications go to a role's shared channel (summary and a link that needs sign-in) or to
 * one reviewer's own channel (one-click links go only there), and may be about no approval
 * (a token issued for the reviewer). `placement_id` ties together the messages of one
 * placement, so one replaces only those of earlier placements.
 */
export class NotifyOwnChannels1795313558700 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.notifications
      ALTER COLUMN approval_id DROP NOT NULL,
      ALTER COLUMN role DROP NOT NULL,
      ADD COLUMN channel text NOT NULL DEFAULT 'role' CHECK (channel IN ('role', 'reviewer')),
      ADD COLUMN placement_id uuid,
      DROP CONSTRAINT notifications_kind_check,
      ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('assigned', 'reassigned', 'escalated', 'token_issued')),
      ADD CONSTRAINT notifications_addressed CHECK (
        CASE channel WHEN 'role' THEN role IS NOT NULL AND approval_id IS NOT NULL ELSE reviewer_id IS NOT NULL END)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DELETE FROM ${s}.notifications WHERE channel = 'reviewer'`);
    await runner.query(`ALTER TABLE ${s}.notifications
      DROP CONSTRAINT notifications_addressed,
      DROP CONSTRAINT notifications_kind_check,
      ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('assigned', 'reassigned', 'escalated')),
      DROP COLUMN placement_id,
      DROP COLUMN channel,
      ALTER COLUMN role SET NOT NULL,
      ALTER COLUMN approval_id SET NOT NULL`);
  }
}
