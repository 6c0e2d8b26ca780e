// A service with no features, as the kit's own tests boot it: what every app has and nothing more.
import { randomBytes } from 'node:crypto';
import { messagingTablesDown, messagingTablesUp, outboxBytesUp } from '@hitl/messaging';
import { Module } from '@nestjs/common';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { z } from 'zod';
import { ServiceDefinition, databaseConfig, httpConfig, kafkaConfig, logConfig, serviceSchema, trustConfig } from '../../src';

export const testServiceConfig = z.object({
  ...kafkaConfig({ clientId: 'hitl-kit-test' }).shape,
  ...databaseConfig.shape,
  ...httpConfig({ port: 0 }).shape,
  ...logConfig.shape,
  ...trustConfig.shape,
});

@Module({})
class NoFeaturesModule {}

class CreateMessagingTables1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    for (const sql of [...messagingTablesUp(serviceSchema(runner)), ...outboxBytesUp(serviceSchema(runner))]) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const sql of messagingTablesDown(serviceSchema(runner))) await runner.query(sql);
  }
}

export function testService(schema: string): ServiceDefinition<z.output<typeof testServiceConfig>> {
  return { name: 'kit-test', schema, module: NoFeaturesModule, config: testServiceConfig, migrations: [CreateMessagingTables1700000000000] };
}

/** Names no other run uses: a schema and a topic prefix. */
export function isolatedNames(): { schema: string; topicPrefix: string } {
  const id = randomBytes(4).toString('hex');
  return { schema: `kit_${id}`, topicPrefix: `kit-${id}.` };
}
