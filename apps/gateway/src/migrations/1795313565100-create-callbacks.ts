import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Callbacks: an agent's URL that gets each outcome of its decisions as a POST signed the way
 * Standard Webhooks specifies. Each delivery is a row written in the transaction that keeps the
 * outcome, posted and retried with backoff by a poller (FOR UPDATE SKIP LOCKED): never lost
 * across a restart, never posted by two replicas at once.
 */
export class CreateCallbacks1795313565100 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.callbacks (
      agent_id    text PRIMARY KEY,
      url         text NOT NULL,
      -- The signing secret (whsec_...): a credential, shown to the agent once, never logged.
      secret      text NOT NULL,
      set_at      timestamptz NOT NULL
    )`);
    await runner.query(`CREATE TABLE ${s}.callback_deliveries (
      id              bigserial PRIMARY KEY,
      -- webhook-id: the same outcome keeps the same id, so a receiver drops a repeat.
      webhook_id      text NOT NULL UNIQUE,
      agent_id        text NOT NULL,
      decision_id     uuid NOT NULL,
      url             text NOT NULL,
      body            text NOT NULL,
      status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
      attempts        integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      last_error      text,
      sent_at         timestamptz
    )`);
    await runner.query(`CREATE INDEX callback_deliveries_due ON ${s}.callback_deliveries (next_attempt_at) WHERE status = 'pending'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.callback_deliveries`);
    await runner.query(`DROP TABLE ${s}.callbacks`);
  }
}
