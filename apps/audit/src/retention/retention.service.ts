import { ChainHead } from '@hitl/audit-trail';
import { DatabaseConfig, SERVICE_CONFIG, SERVICE_LOGGER, postgresConnection, serviceTable, typeormConnection } from '@hitl/service-kit';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { appendRecords } from '../ingestion/events.repository';
import { AuditStream } from '../stream/audit-stream';
import { VerifyService } from '../verify/verify.service';
import { RetentionConfig, periodFor, retentionCutoff } from './retention-policy';
import { Removal, retentionRecord } from './retention-record';

export interface RetentionOutcome {
  workspace: string;
  /** The period in force; null: kept forever. */
  retention: string | null;
  removed_count: number;
  removed_through_chain_index: number | null;
  /** Why nothing was removed although rows were due (a broken chain is never trimmed). */
  refused: string | null;
}

/**
 * Removes rows older than each workspace's retention period: the only thing that ever
 * removes rows. It works as the schema's owner (the service's own role may not delete),
 * per workspace in one transaction under the chain's lock: the last row to remove
 * becomes the chain's checkpoint, the rows through it are deleted, and a retention record
 * is appended, so the chain still verifies from the checkpoint.
 */
@Injectable()
export class RetentionService implements OnModuleDestroy {
  private owner: Promise<DataSource> | null = null;
  /** Runs one at a time in this process (the job and the endpoint); replicas meet at the chain locks. */
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: RetentionConfig & DatabaseConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly dataSource: DataSource,
    private readonly verifier: VerifyService,
    private readonly stream: AuditStream,
  ) {}

  get configured(): boolean {
    return this.config.AUDIT_RETENTION !== undefined;
  }

  run(now: Date): Promise<RetentionOutcome[]> {
    const next = this.running.then(() => this.runAll(now));
    this.running = next.catch(() => undefined);
    return next;
  }

  async onModuleDestroy(): Promise<void> {
    const owner = await this.owner?.catch(() => null);
    if (owner?.isInitialized) await owner.destroy();
  }

  private async runAll(now: Date): Promise<RetentionOutcome[]> {
    const policy = this.config.AUDIT_RETENTION;
    if (!policy) return [];
    const workspaces: { workspace: string }[] = await this.dataSource.query(
      `SELECT DISTINCT workspace FROM ${serviceTable(this.dataSource.manager, 'events')} ORDER BY 1`,
    );
    const outcomes: RetentionOutcome[] = [];
    for (const { workspace } of workspaces) {
      const cutoff = retentionCutoff(policy, workspace, now);
      const period = periodFor(policy, workspace);
      const outcome =
        cutoff && period ? await this.trim(workspace, cutoff, period.text, now) : { removed_count: 0, removed_through_chain_index: null, refused: null };
      outcomes.push({ workspace, retention: period?.text ?? null, ...outcome });
      if (outcome.removed_count > 0) this.logger.info({ workspace, ...outcome }, 'retention removed rows');
      if (outcome.refused) this.logger.error({ workspace, refused: outcome.refused }, 'retention refused to remove rows');
    }
    return outcomes;
  }

  private async trim(workspace: string, cutoff: Date, period: string, now: Date): Promise<Omit<RetentionOutcome, 'workspace' | 'retention'>> {
    const owner = await this.ownerDataSource();
    return owner.transaction(async (manager) => {
      // The trigger lets DELETE through only in a session that says so, for this transaction only.
      await manager.query(`SET LOCAL hitl.audit_retention = 'on'`);
      // The lock appendRecords takes: no row joins this chain while it is trimmed.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`hitl.audit.chain.${workspace}`]);
      const through = await this.lastDue(manager, workspace, cutoff);
      if (!through) return { removed_count: 0, removed_through_chain_index: null, refused: null };
      const [verified] = await this.verifier.verify(workspace);
      if (verified.first_break) {
        const b = verified.first_break;
        return {
          removed_count: 0,
          removed_through_chain_index: null,
          refused: `the chain is broken at chain index ${b.chain_index} (event ${b.event_id}): ${b.reason}`,
        };
      }
      await manager.query(
        `INSERT INTO ${serviceTable(manager, 'chain_checkpoints')} (workspace, chain_index, hash) VALUES ($1, $2, $3)
         ON CONFLICT (workspace) DO UPDATE SET chain_index = EXCLUDED.chain_index, hash = EXCLUDED.hash, updated_at = now()`,
        [workspace, through.chain_index, through.hash],
      );
      const [{ removed }] = await manager.query(
        `WITH gone AS (DELETE FROM ${serviceTable(manager, 'events')} WHERE workspace = $1 AND chain_index <= $2 RETURNING 1) SELECT count(*)::int AS removed FROM gone`,
        [workspace, through.chain_index],
      );
      const removal: Removal = { workspace, through, count: removed, olderThan: cutoff, period };
      // Published like every record: the stream says what the record no longer holds.
      await appendRecords(manager, [retentionRecord(removal, now)], this.stream);
      return { removed_count: removed, removed_through_chain_index: through.chain_index, refused: null };
    });
  }

  /**
   * The last row of the chain's oldest stretch recorded before the cutoff: rows are
   * removed from the start of the chain only, and never one recorded within the period.
   * Age is counted from when the audit recorded a row (its own clock), not from the time
   * an agent wrote in its event.
   */
  private async lastDue(manager: EntityManager, workspace: string, cutoff: Date): Promise<ChainHead | null> {
    const events = serviceTable(manager, 'events');
    const [row] = await manager.query(
      `SELECT chain_index::int AS chain_index, hash FROM ${events}
        WHERE workspace = $1 AND recorded_at < $2
          AND chain_index < COALESCE((SELECT min(chain_index) FROM ${events} WHERE workspace = $1 AND recorded_at >= $2), 9223372036854775807)
        ORDER BY chain_index DESC LIMIT 1`,
      [workspace, cutoff],
    );
    return row ?? null;
  }

  /** A connection as the schema's owner (DATABASE_URL, DATABASE_PASSWORD_FILE), opened on first use. */
  private ownerDataSource(): Promise<DataSource> {
    this.owner ??= new DataSource({
      type: 'postgres',
      ...typeormConnection(postgresConnection(this.config)),
      schema: (this.dataSource.options as PostgresDataSourceOptions).schema,
      applicationName: 'hitl-audit-retention',
      synchronize: false,
      migrationsRun: false,
      entities: [],
      migrations: [],
      extra: { max: 1 },
    })
      .initialize()
      .catch((error: unknown) => {
        this.owner = null;
        throw error;
      });
    return this.owner;
  }
}
