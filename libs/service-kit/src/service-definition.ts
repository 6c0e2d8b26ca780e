import { SigningService } from '@hitl/contracts';
import { Type } from '@nestjs/common';
import { MigrationInterface } from 'typeorm';
import { z } from 'zod';
import { ServiceConfig } from './config/config';

/** What an app tells the shared plumbing about itself. */
export interface ServiceDefinition<C extends ServiceConfig = ServiceConfig> {
  /** Short name: log field `service`, Kafka consumer group `<topic prefix>hitl-<name>`. */
  name: string;
  /** The PostgreSQL schema the service owns: its tables, inbox, outbox and migrations table. */
  schema: string;
  /** The app's root module (its feature modules). */
  module: Type<unknown>;
  /** The app's config schema, built from the shared pieces. */
  config: z.ZodType<C>;
  /** Every migration of the app, oldest first (classes, not globs, so a build bundles them). */
  migrations: Array<new () => MigrationInterface>;
  /**
   * The login role the service works through after its migrations ran as the owner (by
   * schema name, so tests under other schemas get their own). Its migrations create it
   * and grant it what it may do. Absent: the service works as the owner.
   */
  runtimeRole?: (schema: string) => string;
  /**
   * The runtime role's password (from a file of the app's config), for a server that asks
   * for one: set on the role by the owner at each start, then used to log in as it.
   */
  runtimePassword?(config: C): string | undefined;
  /** The service principal whose key signs what this service emits (its SIGNING_KEY_FILE is then required). */
  signs?: SigningService;
  /**
   * Consumed events whose signature does not verify: `enforce` (default) refuses them
   * (DLQ, counter, security log); `record` hands them on with their verdict (the audit).
   */
  signatures?: 'enforce' | 'record';
  /** How the service consumes: partitions handled at once, messages per transaction. */
  consumer?: { partitionsConsumedConcurrently?: number; chunkSize?: number };
}
