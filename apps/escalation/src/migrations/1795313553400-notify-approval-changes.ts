import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change of an approval is announced on the `hitl_approval_changes` channel (LISTEN/NOTIFY),
 * at commit, to every replica: the live stream of reviewers' consoles follows it, so nothing but
 * the open connections lives in a process. The payload is small (NOTIFY caps it at 8000 bytes):
 * which schema, which approval, and what kind of change; listeners read the row itself.
 */
export class NotifyApprovalChanges1795313553400 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE FUNCTION ${s}.notify_approval_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        change text;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          change := 'new';
        ELSIF NEW.status NOT IN ('pending', 'clarifying') AND OLD.status IN ('pending', 'clarifying') THEN
          change := 'resolved';
        ELSIF NEW.status = 'clarifying' AND OLD.status <> 'clarifying' THEN
          change := 'clarifying';
        ELSIF NEW.status = 'pending' AND OLD.status = 'clarifying' THEN
          change := 'resumed';
        ELSIF NEW.assignee IS DISTINCT FROM OLD.assignee OR NEW.reviewer_role <> OLD.reviewer_role THEN
          change := CASE WHEN OLD.assignee IS NULL AND NEW.reviewer_role = OLD.reviewer_role THEN 'assigned' ELSE 'reassigned' END;
        ELSIF NEW.payload_hash <> OLD.payload_hash THEN
          change := 'edited';
        ELSE
          RETURN NULL;
        END IF;
        PERFORM pg_notify('hitl_approval_changes', json_build_object('schema', TG_TABLE_SCHEMA, 'approval_id', NEW.approval_id, 'change', change)::text);
        RETURN NULL;
      END
    $$`);
    await runner.query(
      `CREATE TRIGGER approvals_notify_change AFTER INSERT OR UPDATE ON ${s}.approvals FOR EACH ROW EXECUTE FUNCTION ${s}.notify_approval_change()`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TRIGGER approvals_notify_change ON ${s}.approvals`);
    await runner.query(`DROP FUNCTION ${s}.notify_approval_change()`);
  }
}
