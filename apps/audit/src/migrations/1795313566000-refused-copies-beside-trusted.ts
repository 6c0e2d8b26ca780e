import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An event id is recorded once as trusted (verified, or a dead letter nobody checks) and once
 * as refused, no more. Unique on the id alone, a forged copy carrying a real event's id, read
 * first, took the id, and the real event was then left out as a copy: the record would have
 * lost it. Now the real one is recorded beside the forgery, and a forged copy read after the
 * real event is on the record too, as refused; copies of either still add nothing.
 */
export class RefusedCopiesBesideTrusted1795313566000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.events DROP CONSTRAINT events_event_id_key`);
    await runner.query(`CREATE UNIQUE INDEX events_event_id_trust ON ${s}.events (event_id, (verified IS NOT FALSE))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP INDEX ${s}.events_event_id_trust`);
    await runner.query(`ALTER TABLE ${s}.events ADD CONSTRAINT events_event_id_key UNIQUE (event_id)`);
  }
}
