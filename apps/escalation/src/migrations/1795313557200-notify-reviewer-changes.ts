import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A reviewer deleted, given a new token, or given other roles or workspaces is announced on the
 * `hitl_reviewer_changes` channel at commit, to every replica: each ends or re-authorizes that
 * reviewer's open live streams at once, whichever replica served the change.
 */
export class NotifyReviewerChanges1795313557200 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE FUNCTION ${s}.notify_reviewer_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.token_hash IS NOT DISTINCT FROM OLD.token_hash AND NEW.roles = OLD.roles
           AND NEW.workspaces = OLD.workspaces AND NEW.admin = OLD.admin AND NEW.auditor = OLD.auditor THEN
          RETURN NULL;
        END IF;
        PERFORM pg_notify('hitl_reviewer_changes', json_build_object('schema', TG_TABLE_SCHEMA, 'reviewer_id', OLD.id)::text);
        RETURN NULL;
      END
    $$`);
    await runner.query(
      `CREATE TRIGGER reviewers_notify_change AFTER UPDATE OR DELETE ON ${s}.reviewers FOR EACH ROW EXECUTE FUNCTION ${s}.notify_reviewer_change()`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TRIGGER reviewers_notify_change ON ${s}.reviewers`);
    await runner.query(`DROP FUNCTION ${s}.notify_reviewer_change()`);
  }
}
