import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** What the agent reported running (action.executed, published for it): once per decision. */
export class RecordExecutions1795313565200 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.decisions ADD COLUMN executed_at timestamptz, ADD COLUMN execution jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.decisions DROP COLUMN execution, DROP COLUMN executed_at`);
  }
}
