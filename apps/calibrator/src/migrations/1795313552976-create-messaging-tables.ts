import { messagingTablesDown, messagingTablesUp } from '@hitl/messaging';
import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMessagingTables1795313552976 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    for (const sql of messagingTablesUp(serviceSchema(runner))) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const sql of messagingTablesDown(serviceSchema(runner))) await runner.query(sql);
  }
}
