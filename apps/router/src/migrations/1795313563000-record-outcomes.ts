import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the router needs to emit a decision's events again, byte for byte the same ids, when
 * its proposal is redelivered: the plans of the approvals it requested (with their deadlines)
 * and the events' ids. Its events are published right after the commit, without the outbox,
 * so a crash between the two is repaired by routing the same message again.
 */
export class RecordOutcomes1795313563000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.decisions ADD COLUMN outcome_plans jsonb, ADD COLUMN outcome_event_ids jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.decisions DROP COLUMN outcome_plans, DROP COLUMN outcome_event_ids`);
  }
}
