import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What promotion, edit analysis and drift need: the agents' compensations of rollbacks (one
 * per rollback), the parameters a reviewer approved when they edited them (masked by the
 * manifest's redact), where each action's drift watch stands, and the alerts sent to owners
 * (delivered from this table, retried with backoff: timers live in PostgreSQL).
 */
export class ClosingTheLoops1795313561000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.compensations (
      approval_id uuid PRIMARY KEY,
      decision_id uuid NOT NULL,
      workspace   text NOT NULL,
      action      text NOT NULL,
      succeeded   boolean NOT NULL,
      executed_at timestamptz NOT NULL,
      signed_by   text
    )`);
    await runner.query(`ALTER TABLE ${s}.resolutions ADD COLUMN parameters jsonb`);
    // Edit analysis reads the latest reviews of each action.
    await runner.query(`CREATE INDEX resolutions_reviews_by_action ON ${s}.resolutions (action, resolved_at DESC) WHERE resolved_by_kind = 'reviewer'`);

    await runner.query(`CREATE TABLE ${s}.drift_watches (
      workspace  text NOT NULL,
      action     text NOT NULL,
      drifting   boolean NOT NULL,
      since      timestamptz,
      checked_at timestamptz NOT NULL,
      PRIMARY KEY (workspace, action),
      CHECK (drifting = (since IS NOT NULL))
    )`);
    await runner.query(`CREATE TABLE ${s}.owner_alerts (
      id              uuid PRIMARY KEY,
      workspace       text NOT NULL,
      action          text NOT NULL,
      owner           text,
      reasons         jsonb NOT NULL,
      demotion        jsonb,
      patch           text NOT NULL,
      created_at      timestamptz NOT NULL,
      delivery        text NOT NULL CHECK (delivery IN ('pending', 'sent', 'failed', 'no_route')),
      attempts        integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      last_error      text,
      delivered_at    timestamptz
    )`);
    await runner.query(`CREATE INDEX owner_alerts_due ON ${s}.owner_alerts (next_attempt_at) WHERE delivery = 'pending'`);
    await runner.query(`CREATE INDEX owner_alerts_created_at ON ${s}.owner_alerts (created_at DESC)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.owner_alerts`);
    await runner.query(`DROP TABLE ${s}.drift_watches`);
    await runner.query(`DROP INDEX ${s}.resolutions_reviews_by_action`);
    await runner.query(`ALTER TABLE ${s}.resolutions DROP COLUMN parameters`);
    await runner.query(`DROP TABLE ${s}.compensations`);
  }
}
