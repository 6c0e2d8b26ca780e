import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Post-reviews get a queue of their own and an end: status `unreviewed` (their review
 * window closed, or nobody had room to queue them). Open ones recorded before this get the
 * window they would have had (the rollback window, else a day). `urgency_rank` orders the
 * blocking queue (critical first); the indexes serve the inbox's order and the queue
 * health's last-24-hours counts at six-figure queue depths.
 */
export class PostReviewQueue1795313559000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.approvals
      DROP CONSTRAINT approvals_status_check,
      ADD CONSTRAINT approvals_status_check
        CHECK (status IN ('pending', 'clarifying', 'approved', 'denied', 'expired', 'reviewed', 'rolled_back', 'unreviewed')),
      ADD COLUMN urgency_rank smallint NOT NULL
        GENERATED ALWAYS AS (CASE urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END) STORED`);
    await runner.query(`UPDATE ${s}.approvals
        SET expires_at = created_at + make_interval(secs => COALESCE(rollback_window_seconds, 86400)),
            sla_deadline = created_at + make_interval(secs => COALESCE(rollback_window_seconds, 86400))
      WHERE route = 'post_review' AND status IN ('pending', 'clarifying')`);
    // Each queue in the inbox's order, role by role: a page of a six-figure queue reads a page of rows.
    await runner.query(`CREATE INDEX approvals_blocking_in_order ON ${s}.approvals
      (reviewer_role, urgency_rank, (COALESCE(sla_deadline, 'infinity'::timestamptz)), approval_id)
      WHERE status IN ('pending', 'clarifying') AND route <> 'post_review'`);
    await runner.query(`CREATE INDEX approvals_post_reviews_in_order ON ${s}.approvals
      (reviewer_role, (COALESCE(sla_deadline, 'infinity'::timestamptz)), approval_id)
      WHERE status IN ('pending', 'clarifying') AND route = 'post_review'`);
    await runner.query(`CREATE INDEX approvals_resolved_at ON ${s}.approvals (resolved_at) WHERE resolved_at IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP INDEX ${s}.approvals_resolved_at`);
    await runner.query(`DROP INDEX ${s}.approvals_post_reviews_in_order`);
    await runner.query(`DROP INDEX ${s}.approvals_blocking_in_order`);
    await runner.query(`UPDATE ${s}.approvals SET status = 'expired' WHERE status = 'unreviewed'`);
    await runner.query(`ALTER TABLE ${s}.approvals
      DROP COLUMN urgency_rank,
      DROP CONSTRAINT approvals_status_check,
      ADD CONSTRAINT approvals_status_check
        CHECK (status IN ('pending', 'clarifying', 'approved', 'denied', 'expired', 'reviewed', 'rolled_back'))`);
  }
}
