import { ManifestStore, SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Client, Notification } from 'pg';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { findApproval } from '../approvals/approvals.repository';
import { EscalationConfig } from '../config';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { APPROVAL_CHANGES_CHANNEL, ApprovalChangeEvent, ApprovalChangeNotice, changeFor, parseNotice } from './approval-change';

/** One open stream: whose it is, and where its events go. */
export interface ChangeSubscriber {
  viewer: AuthenticatedReviewer;
  send(event: ApprovalChangeEvent): void;
  /** The service is stopping: end the stream. */
  close(): void;
}

/**
 * Fans the approvals trigger's notifications out to the open streams of this process. One
 * LISTEN connection per process, opened with the first subscriber; each change is read once
 * from the database and sent to every subscriber allowed to see it. Nothing else is kept:
 * another replica's subscribers get the same notifications from PostgreSQL.
 */
@Injectable()
export class ApprovalChangesService implements OnModuleDestroy {
  private readonly subscribers = new Set<ChangeSubscriber>();
  private client: Client | null = null;
  private listening: Promise<void> | null = null;
  private stopped = false;
  /** Notifications are handled one after the other, so each stream gets changes in commit order. */
  private delivering: Promise<void> = Promise.resolve();
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly manifests: ManifestStore,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.schema = (dataSource.options as PostgresDataSourceOptions).schema ?? 'escalation';
  }

  /** Adds a subscriber once the connection listens (so no change after this returns is missed); returns its unsubscribe. */
  async subscribe(subscriber: ChangeSubscriber): Promise<() => void> {
    this.subscribers.add(subscriber);
    try {
      await this.listen();
    } catch (error) {
      this.subscribers.delete(subscriber);
      throw error;
    }
    return () => this.subscribers.delete(subscriber);
  }

  get openStreams(): number {
    return this.subscribers.size;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    for (const subscriber of this.subscribers) subscriber.close();
    this.subscribers.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private listen(): Promise<void> {
    this.listening ??= this.connect().catch((error: unknown) => {
      this.listening = null;
      throw error;
    });
    return this.listening;
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL, connectionTimeoutMillis: 5_000 });
    client.on('notification', (message: Notification) => {
      this.delivering = this.delivering.then(() => this.deliver(message));
    });
    client.on('error', (error) => this.dropped(client, error));
    client.on('end', () => this.dropped(client, null));
    await client.connect();
    await client.query(`LISTEN ${APPROVAL_CHANGES_CHANNEL}`);
    this.client = client;
  }

  /**
   * The LISTEN connection is gone, and with it any change until the next one listens: the
   * streams end too, so each console reconnects (which listens again) and reloads its inbox.
   */
  private dropped(client: Client, error: Error | null): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    this.listening = null;
    this.logger.warn({ err: error ?? undefined }, 'approval changes: LISTEN connection lost; ending the open streams');
    client.end().catch(() => undefined);
    for (const subscriber of this.subscribers) subscriber.close();
    this.subscribers.clear();
  }

  private async deliver(message: Notification): Promise<void> {
    const notice = parseNotice(message.payload);
    if (notice === null || notice.schema !== this.schema || this.subscribers.size === 0) return;
    try {
      await this.fanOut(notice);
    } catch (error) {
      this.logger.warn({ err: error, approval_id: notice.approval_id }, 'approval changes: could not read the changed approval');
    }
  }

  private async fanOut(notice: ApprovalChangeNotice): Promise<void> {
    const row = await findApproval(this.dataSource.manager, notice.approval_id);
    if (!row) return;
    const policy = this.manifests.current.manifest.actions.get(row.action);
    const now = new Date();
    for (const subscriber of this.subscribers) {
      const event = changeFor(subscriber.viewer, notice, row, policy, now);
      if (event) subscriber.send(event);
    }
  }
}
