import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNotifications1795313553300 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    // Chat messages about approvals, written in the transaction that placed the approval and
    // posted by the dispatcher: an outbox whose relay speaks HTTP to a role's webhook.
    await runner.query(`CREATE TABLE ${s}.notifications (
      id              bigserial PRIMARY KEY,
      approval_id     uuid NOT NULL REFERENCES ${s}.approvals ON DELETE CASCADE,
      kind            text NOT NULL CHECK (kind IN ('assigned', 'reassigned', 'escalated')),
      role            text NOT NULL,
      reviewer_id     text,
      message         jsonb NOT NULL,
      status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
      attempts        int NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error      text,
      created_at      timestamptz NOT NULL DEFAULT now(),
      sent_at         timestamptz
    )`);
    // The dispatcher's question, "what is due?", answered from an index.
    await runner.query(`CREATE INDEX notifications_due ON ${s}.notifications (next_attempt_at) WHERE status = 'pending'`);
    await runner.query(`CREATE INDEX notifications_by_approval ON ${s}.notifications (approval_id, id)`);
    // One-click links already used: the nonce of each, so a link works once.
    await runner.query(`CREATE TABLE ${s}.used_links (
      nonce       text PRIMARY KEY,
      approval_id uuid NOT NULL,
      reviewer_id text NOT NULL,
      act         text NOT NULL CHECK (act IN ('approve', 'deny')),
      used_at     timestamptz NOT NULL DEFAULT now()
    )`);
    // What GET /queues and the queue gauges ask of resolved approvals: the last day's decisions by role.
    await runner.query(`CREATE INDEX approvals_resolved_by_role ON ${s}.approvals (workspace, reviewer_role, resolved_at) WHERE resolved_at IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP INDEX ${s}.approvals_resolved_by_role`);
    await runner.query(`DROP TABLE ${s}.used_links`);
    await runner.query(`DROP TABLE ${s}.notifications`);
  }
}
