// The inbox and outbox tables every service keeps in its own PostgreSQL schema, as
// versioned SQL ({schema} stands for the quoted schema name). A released version is
// history: a database that ran it never runs it again, so a change to the tables is a
// new version here (migrations.spec.ts pins every released text) and, in each app, a new
// migration applying it.
import { MigrationInterface, QueryRunner } from 'typeorm';
import { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { sqlSchema } from '../schema';
import * as inboxAndOutbox from './0001-inbox-and-outbox';
import * as outboxAnyBytes from './0002-outbox-any-bytes';

/** Every version, oldest first. */
export const MESSAGING_SCHEMA = {
  '0001-inbox-and-outbox': inboxAndOutbox,
  '0002-outbox-any-bytes': outboxAnyBytes,
} as const satisfies Record<string, { up: string; down: string }>;

export type MessagingSchemaVersion = keyof typeof MESSAGING_SCHEMA;

export const MESSAGING_SCHEMA_VERSIONS = Object.keys(MESSAGING_SCHEMA) as MessagingSchemaVersion[];

/** One version's SQL, either way, for the tables in `schema`. */
export function messagingSchemaSql(version: MessagingSchemaVersion, direction: 'up' | 'down', schema: string): string {
  return MESSAGING_SCHEMA[version][direction].replaceAll('{schema}', sqlSchema(schema));
}

/**
 * A migration applying versions in order (down: undoing them in reverse) to the schema
 * its DataSource names, for an app to extend under its own name and timestamp:
 * `export class OutboxAnyBytes1795313557000 extends messagingMigration('0002-outbox-any-bytes') {}`.
 */
export function messagingMigration(...versions: MessagingSchemaVersion[]): new () => MigrationInterface {
  return class implements MigrationInterface {
    async up(runner: QueryRunner): Promise<void> {
      for (const version of versions) await runner.query(messagingSchemaSql(version, 'up', dataSourceSchema(runner)));
    }

    async down(runner: QueryRunner): Promise<void> {
      for (const version of [...versions].reverse()) await runner.query(messagingSchemaSql(version, 'down', dataSourceSchema(runner)));
    }
  };
}

function dataSourceSchema(runner: QueryRunner): string {
  const { schema } = runner.connection.options as PostgresDataSourceOptions;
  if (!schema) throw new Error('the DataSource has no schema: the messaging tables live in the service schema it names');
  return schema;
}
