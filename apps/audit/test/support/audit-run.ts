// One audit service for a spec, in-process on the real broker and database: its own schema,
// writer role and topic prefix, a temp folder for its auditors file, and the teardown of all.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceApp, loadConfig, startServiceApp } from '@hitl/service-kit';
import { deleteTopicsStartingWith, eventually, inProcessEnv, query, testTrust } from '@hitl/testing';
import { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { AuditConfig } from '../../src/config';
import { auditService } from '../../src/service';

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

export class AuditRun {
  private readonly id = randomBytes(4).toString('hex');
  readonly schema: string;
  /** The login role the service writes through (cluster-wide, so dropped at the end). */
  readonly writer: string;
  readonly prefix: string;
  readonly dir: string;
  readonly kafka: Kafka;

  constructor(name: string) {
    this.schema = `t_${name}_${this.id}`;
    this.writer = `${this.schema}_writer`;
    this.prefix = `t-${name}-${this.id}.`;
    this.dir = mkdtempSync(join(tmpdir(), `hitl-${name}-`));
    this.kafka = new Kafka({ clientId: `audit-${name}-test`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  }

  /** The service's config: this run's broker, schema prefix and test keys, the committed manifest, then `env`. */
  config(env: Record<string, string>): AuditConfig {
    return loadConfig(auditService.config, { ...inProcessEnv(this.prefix), ...testTrust().env('audit'), ...env });
  }

  /** Builds the service on this run's schema (nothing started). */
  create(config: AuditConfig): Promise<INestApplication> {
    return createServiceApp({ ...auditService, schema: this.schema }, config);
  }

  async start(config: AuditConfig): Promise<{ app: INestApplication; url: string }> {
    const app = await this.create(config);
    return { app, url: await startServiceApp(app, config) };
  }

  /** Waits until `count` (a SQL count of this run's rows) reaches `expected`, or fails saying how far it got. */
  async waitForRecorded(countSql: string, params: unknown[], expected: number, timeoutMs = 60_000): Promise<void> {
    let recorded = 0;
    const counted = async () => {
      [{ n: recorded }] = await query<{ n: number }>(countSql, params);
      return recorded === expected;
    };
    await eventually(`the audit to record ${expected} events`, counted, { timeoutMs, everyMs: 200, detail: () => `it recorded ${recorded}` });
  }

  async tearDown(app: INestApplication | undefined): Promise<void> {
    await app?.close();
    await query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
    // The writer and reader roles are cluster-wide: drop what each was granted here, then the role.
    for (const role of [this.writer, `${this.schema}_reader`]) {
      await query(
        `DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN EXECUTE 'DROP OWNED BY "${role}"'; EXECUTE 'DROP ROLE "${role}"'; END IF; END $$`,
      );
    }
    await deleteTopicsStartingWith(this.kafka, this.prefix);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
