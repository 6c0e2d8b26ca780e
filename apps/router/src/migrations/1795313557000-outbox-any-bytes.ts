import { outboxBytesDown, outboxBytesUp } from '@hitl/messaging';
import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Dead letters carry whatever the refused message held: the outbox keeps keys and headers as bytes. */
export class OutboxAnyBytes1795313557000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    for (const sql of outboxBytesUp(serviceSchema(runner))) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const sql of outboxBytesDown(serviceSchema(runner))) await runner.query(sql);
  }
}
