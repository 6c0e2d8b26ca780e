import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { auditWriterRole } from '../audit-writer-role';

/**
 * The record: one row per event, hash-chained per workspace, append-only for real. A
 * trigger refuses UPDATE, DELETE and TRUNCATE (only the retention job, as the owner and
 * with hitl.audit_retention set, may delete), and the service writes through a login role
 * that has INSERT and SELECT on it and owns nothing.
 */
export class CreateAuditEvents1795313554000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const schema = serviceSchema(runner);
    const s = `"${schema}"`;
    const writer = `"${auditWriterRole(schema)}"`;
    await runner.query(`CREATE TABLE ${s}.events (
      seq              bigserial PRIMARY KEY,
      event_id         text NOT NULL UNIQUE,
      workspace        text NOT NULL,
      chain_index      bigint NOT NULL,
      topic            text NOT NULL,
      type             text NOT NULL,
      decision_id      uuid,
      actor_kind       text NOT NULL,
      actor_id         text NOT NULL,
      action           text,
      occurred_at      timestamptz NOT NULL,
      recorded_at      timestamptz NOT NULL DEFAULT now(),
      manifest_version text,
      event            jsonb NOT NULL,
      prev_hash        text NOT NULL,
      hash             text NOT NULL,
      UNIQUE (workspace, chain_index)
    )`);
    await runner.query(`CREATE INDEX events_decision ON ${s}.events (decision_id, seq)`);
    await runner.query(`CREATE INDEX events_workspace_time ON ${s}.events (workspace, occurred_at, seq)`);
    await runner.query(`CREATE INDEX events_workspace_actor ON ${s}.events (workspace, actor_id, occurred_at)`);
    await runner.query(`CREATE INDEX events_workspace_action ON ${s}.events (workspace, action, occurred_at)`);
    // Where a workspace's chain starts after retention removed its oldest rows.
    await runner.query(`CREATE TABLE ${s}.chain_checkpoints (
      workspace   text PRIMARY KEY,
      chain_index bigint NOT NULL,
      hash        text NOT NULL,
      updated_at  timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE FUNCTION ${s}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('hitl.audit_retention', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'the audit record is append-only: % refused on %', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await runner.query(`CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON ${s}.events FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change()`);
    await runner.query(`CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON ${s}.events FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_change()`);
    await runner.query(`REVOKE ALL ON ${s}.events, ${s}.chain_checkpoints FROM PUBLIC`);

    await runner.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${auditWriterRole(schema)}') THEN
        CREATE ROLE ${writer} LOGIN;
      END IF;
    END $$`);
    await runner.query(`GRANT USAGE ON SCHEMA ${s} TO ${writer}`);
    await runner.query(`GRANT SELECT, INSERT ON ${s}.events TO ${writer}`);
    await runner.query(`GRANT SELECT ON ${s}.chain_checkpoints TO ${writer}`);
    await runner.query(`GRANT USAGE, SELECT ON SEQUENCE ${s}.events_seq_seq TO ${writer}`);
    // The messaging tables: the inbox is written with each batch, the relay empties the outbox.
    await runner.query(`GRANT SELECT, INSERT ON ${s}.inbox TO ${writer}`);
    await runner.query(`GRANT SELECT, INSERT, DELETE ON ${s}.outbox TO ${writer}`);
    await runner.query(`GRANT USAGE, SELECT ON SEQUENCE ${s}.outbox_id_seq TO ${writer}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = serviceSchema(runner);
    const s = `"${schema}"`;
    await runner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM "${auditWriterRole(schema)}"`);
    await runner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${s} FROM "${auditWriterRole(schema)}"`);
    await runner.query(`REVOKE USAGE ON SCHEMA ${s} FROM "${auditWriterRole(schema)}"`);
    await runner.query(`DROP TABLE ${s}.chain_checkpoints`);
    await runner.query(`DROP TABLE ${s}.events`);
    await runner.query(`DROP FUNCTION ${s}.refuse_change()`);
  }
}
