import { sqlSchema } from '@hitl/messaging';
import { Client } from 'pg';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { PostgresConnection, describeConnection } from './postgres-connection';

/** PostgreSQL could not be reached at boot; worth a retry, unlike a failing migration. */
export class DatabaseUnreachableError extends Error {
  constructor(connection: PostgresConnection, cause: unknown) {
    super(`cannot reach PostgreSQL at ${describeConnection(connection)} (DATABASE_URL): ${(cause as Error).message}`);
    this.name = 'DatabaseUnreachableError';
  }
}

/**
 * Creates the service's schema if it is missing. TypeORM keeps its migrations table
 * inside that schema, so the schema must exist before the first migration runs.
 */
export async function createSchemaIfMissing(connection: PostgresConnection, schema: string): Promise<void> {
  const client = new Client({ ...connection, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseUnreachableError(connection, error);
  }
  try {
    // IF NOT EXISTS still races between two sessions (a unique violation): take the migration lock.
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [migrationLock(schema)]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${sqlSchema(schema)}`);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

/**
 * The schema the running service owns, for migrations: they name it from the DataSource
 * rather than hard-coding it, so a test can migrate the same service into its own schema.
 */
export function serviceSchema(runner: QueryRunner): string {
  const { schema } = runner.connection.options as PostgresDataSourceOptions;
  if (!schema) throw new Error('the DataSource has no schema; every hitl service sets one');
  return schema;
}

/**
 * `"<schema>".<name>`: a table of the service's own schema, for a repository's SQL. The
 * schema comes from the DataSource, so a test can run the same service under another.
 */
export function serviceTable(manager: EntityManager, name: string): string {
  const { schema } = manager.connection.options as PostgresDataSourceOptions;
  if (!schema) throw new Error('the DataSource has no schema; every hitl service sets one');
  return `${sqlSchema(schema)}.${name}`;
}

/**
 * Runs pending migrations (each in its own transaction) while holding a session advisory
 * lock named after the schema, so that replicas starting at once migrate one after another.
 */
export async function migrateUnderLock(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [migrationLock(schema)]);
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [migrationLock(schema)]);
    }
  } finally {
    await runner.release();
  }
}

function migrationLock(schema: string): string {
  return `hitl.migrations.${schema}`;
}

/**
 * Sets a login role's password, as the owner, over a connection of its own: through pg
 * rather than TypeORM, whose query log would show it. The statement is built by PostgreSQL
 * (format %I, %L), so no value is ever spliced into SQL here.
 */
export async function setRolePassword(connection: PostgresConnection, role: string, password: string): Promise<void> {
  const client = new Client({ ...connection, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ sql: string }>('SELECT format($1::text, $2::text, $3::text) AS sql', ['ALTER ROLE %I PASSWORD %L', role, password]);
    await client.query(rows[0].sql);
  } finally {
    await client.end();
  }
}
