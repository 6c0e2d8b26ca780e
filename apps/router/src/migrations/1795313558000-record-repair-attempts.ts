import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The repair loop: each decision's place in its repair chain, from the router's own records
 * (an agent's count is never trusted). `repair_of` is set only for an accepted repair, and
 * unique: one repair per attempt, so a chain stays one line even when two repairs race.
 */
export class RecordRepairAttempts1795313558000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.decisions
      ADD COLUMN signed           boolean NOT NULL DEFAULT true,
      ADD COLUMN repair_of        uuid,
      ADD COLUMN repair_chain     uuid,
      ADD COLUMN attempt          integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
      ADD COLUMN parameter_errors jsonb`);
    await runner.query(`CREATE UNIQUE INDEX decisions_repair_of ON ${s}.decisions (repair_of) WHERE repair_of IS NOT NULL`);
    await runner.query(`CREATE INDEX decisions_repair_chain ON ${s}.decisions (repair_chain, attempt) WHERE repair_chain IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP INDEX ${s}.decisions_repair_chain`);
    await runner.query(`DROP INDEX ${s}.decisions_repair_of`);
    await runner.query(
      `ALTER TABLE ${s}.decisions DROP COLUMN parameter_errors, DROP COLUMN attempt, DROP COLUMN repair_chain, DROP COLUMN repair_of, DROP COLUMN signed`,
    );
  }
}
