import { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Logger } from 'pino';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ServiceConfig } from '../config/config';
import { TypeOrmPinoLogger } from '../logging/typeorm-logger';
import { ServiceDefinition } from '../service-definition';
import { postgresConnection, typeormConnection } from './postgres-connection';
import { DatabaseUnreachableError, createSchemaIfMissing, migrateUnderLock, setRolePassword } from './service-schema';

/**
 * The service's DataSource: its own schema (migrations table included), migrations only
 * (never synchronize), run at boot by the service itself as the schema's owner. A service
 * with a `runtimeRole` then works through that login role instead, which owns nothing and
 * has only the privileges its migrations granted it (the audit writes with INSERT and
 * SELECT only).
 */
export function databaseModule(definition: ServiceDefinition, config: ServiceConfig, logger: Logger): DynamicModule {
  const owner = postgresConnection(config);
  return TypeOrmModule.forRootAsync({
    useFactory: () => ({
      type: 'postgres',
      ...typeormConnection(owner),
      schema: definition.schema,
      applicationName: `hitl-${definition.name}`,
      synchronize: false,
      migrations: definition.migrations,
      migrationsTableName: 'migrations',
      // Run below, under a lock: replicas starting together must not migrate twice.
      migrationsRun: false,
      autoLoadEntities: true,
      logger: new TypeOrmPinoLogger(logger.child({ component: 'typeorm' })),
      // A database still starting is waited for briefly; anything else stops the boot.
      retryAttempts: 3,
      retryDelay: 1_000,
      toRetry: (error) => error instanceof DatabaseUnreachableError,
    }),
    dataSourceFactory: async (options?: DataSourceOptions) => {
      if (!options) throw new Error('@nestjs/typeorm passed no DataSource options');
      const asOwner = await migrateAsOwner(definition, config, options);
      if (!definition.runtimeRole) return asOwner;
      await asOwner.destroy();
      const role = definition.runtimeRole(definition.schema);
      const password = definition.runtimePassword?.(config);
      const runtime = typeormConnection(postgresConnection(config, { user: role, password }));
      return new DataSource({ ...options, ...runtime, migrations: [] } as DataSourceOptions).initialize();
    },
  });
}

/**
 * The schema made and migrated as its owner (under the migration lock), the runtime role's
 * password set; returns the owner's DataSource, open. What every boot does first, and all
 * that `--migrate-only` does (a migration job before the replicas roll).
 */
export async function migrateAsOwner(definition: ServiceDefinition, config: ServiceConfig, options?: DataSourceOptions): Promise<DataSource> {
  const owner = postgresConnection(config);
  await createSchemaIfMissing(owner, definition.schema);
  const asOwner = await new DataSource(
    options ?? {
      type: 'postgres',
      ...typeormConnection(owner),
      schema: definition.schema,
      applicationName: `hitl-${definition.name}-migrate`,
      synchronize: false,
      migrations: definition.migrations,
      migrationsTableName: 'migrations',
      migrationsRun: false,
    },
  ).initialize();
  await migrateUnderLock(asOwner, definition.schema);
  const password = definition.runtimeRole ? definition.runtimePassword?.(config) : undefined;
  if (definition.runtimeRole && password !== undefined) await setRolePassword(owner, definition.runtimeRole(definition.schema), password);
  return asOwner;
}
