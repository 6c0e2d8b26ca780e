import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reviewers gain the other names they go by (aliases: e-mail addresses, external ids), a
 * channel of their own (a webhook), and the record of who last widened their roles or
 * workspaces (granted_by; null: the reviewers file). The database's guard on votes now
 * refuses the person an action is for under any of their names, ignoring case, as the API
 * does (libs/approvals isRequester): the CHECK of 1795313553100 compared ids exactly.
 */
export class AddReviewerAliases1795313558600 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.reviewers
      ADD COLUMN aliases        text[] NOT NULL DEFAULT '{}',
      ADD COLUMN notify_webhook text,
      ADD COLUMN granted_by     text`);
    await runner.query(`CREATE FUNCTION ${s}.requester_never_approves() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.on_behalf_of IS NOT NULL AND (
             lower(NEW.reviewer_id) = lower(NEW.on_behalf_of)
             OR EXISTS (SELECT 1 FROM ${s}.reviewers r, unnest(r.aliases) AS alias
                         WHERE r.id = NEW.reviewer_id AND lower(alias) = lower(NEW.on_behalf_of))) THEN
          RAISE EXCEPTION 'requester_never_approves: reviewer % is the person this action is for (%), and may not approve it', NEW.reviewer_id, NEW.on_behalf_of
            USING ERRCODE = 'check_violation', CONSTRAINT = 'requester_never_approves', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME;
        END IF;
        RETURN NEW;
      END
    $$`);
    await runner.query(
      `CREATE TRIGGER approval_votes_requester_never_approves BEFORE INSERT OR UPDATE ON ${s}.approval_votes
         FOR EACH ROW EXECUTE FUNCTION ${s}.requester_never_approves()`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TRIGGER approval_votes_requester_never_approves ON ${s}.approval_votes`);
    await runner.query(`DROP FUNCTION ${s}.requester_never_approves()`);
    await runner.query(`ALTER TABLE ${s}.reviewers DROP COLUMN aliases, DROP COLUMN notify_webhook, DROP COLUMN granted_by`);
  }
}
