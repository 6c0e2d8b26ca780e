// A service with no features, as the kit's own tests boot it: what every app has and nothing more.
import { randomBytes } from 'node:crypto';
import { MESSAGING_SCHEMA_VERSIONS, messagingMigration } from '@hitl/messaging';
import { Module } from '@nestjs/common';
import { z } from 'zod';
import { ServiceDefinition, databaseConfig, httpConfig, kafkaConfig, logConfig, trustConfig } from '../../src';

export const testServiceConfig = z.object({
  ...kafkaConfig({ clientId: 'hitl-kit-test' }).shape,
  ...databaseConfig.shape,
  ...httpConfig({ port: 0 }).shape,
  ...logConfig.shape,
  ...trustConfig.shape,
});

@Module({})
class NoFeaturesModule {}

class CreateMessagingTables1700000000000 extends messagingMigration(...MESSAGING_SCHEMA_VERSIONS) {}

export function testService(schema: string): ServiceDefinition<z.output<typeof testServiceConfig>> {
  return { name: 'kit-test', schema, module: NoFeaturesModule, config: testServiceConfig, migrations: [CreateMessagingTables1700000000000] };
}

/** Names no other run uses: a schema and a topic prefix. */
export function isolatedNames(): { schema: string; topicPrefix: string } {
  const id = randomBytes(4).toString('hex');
  return { schema: `kit_${id}`, topicPrefix: `kit-${id}.` };
}
