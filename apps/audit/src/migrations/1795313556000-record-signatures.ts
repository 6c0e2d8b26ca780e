import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether each event's signature verified, who signed it and why it was refused (issue 14).
 * The three columns are part of what a row's hash covers (audit-trail's hashedContent), so
 * the record cannot be changed later to say a refused event verified. Rows recorded before
 * this migration keep NULL in all three: their signatures were never checked, and they are
 * hashed without the columns, as they were written, so their chains still verify. Dead
 * letters and retention records are not signed events and keep NULL too.
 */
export class RecordSignatures1795313556000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    // Adding nullable columns rewrites no row, so the append-only trigger has nothing to refuse.
    await runner.query(`ALTER TABLE ${s}.events
      ADD COLUMN verified boolean,
      ADD COLUMN signer   text,
      ADD COLUMN refusal  text,
      ADD CONSTRAINT events_signature_verdict CHECK (
        (verified IS NULL AND signer IS NULL AND refusal IS NULL)
        OR (verified AND refusal IS NULL)
        OR (NOT verified AND signer IS NULL AND refusal IS NOT NULL)
      )`);
    // Refused events are few and what an auditor looks for first.
    await runner.query(`CREATE INDEX events_refused ON ${s}.events (workspace, occurred_at, seq) WHERE verified = false`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP INDEX ${s}.events_refused`);
    await runner.query(`ALTER TABLE ${s}.events DROP CONSTRAINT events_signature_verdict, DROP COLUMN refusal, DROP COLUMN signer, DROP COLUMN verified`);
  }
}
