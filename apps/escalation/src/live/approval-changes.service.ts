import { ApprovalChange, StreamEnding } from '@hitl/reviewer-api';
import { ManifestStore, SERVICE_CONFIG, SERVICE_LOGGER, postgresConnection } from '@hitl/service-kit';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Client, Notification } from 'pg';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { findApproval } from '../approval-store/approval-store.repository';
import { EscalationConfig } from '../config';
import { AuthenticatedReviewer, withoutToken } from '../reviewers/reviewer-profile';
import { ReviewersRepository } from '../reviewers/reviewers.repository';
import {
  APPROVAL_CHANGES_CHANNEL,
  ApprovalChangeNotice,
  REVIEWER_CHANGES_CHANNEL,
  changeFor,
  parseNotice,
  parseReviewerNotice,
  reauthorized,
} from './approval-change';
import { tooManyStreams } from './live.errors';

/** One open stream: whose it is, and where its events go. */
export interface ChangeSubscriber {
  /** Who reads it, as of the last check of the token (roles may change while it is open). */
  viewer: AuthenticatedReviewer;
  /** The token it was opened with: revoked, the stream ends. */
  readonly tokenHash: string;
  send(event: ApprovalChange): void;
  /** End the stream: the service stops (no reason), or the token no longer admits it. */
  close(ending?: StreamEnding): void;
}

/**
 * Fans the approvals trigger's notifications out to the open streams of this process. One
 * LISTEN connection per process, opened with the first subscriber; each change is read once
 * from the database and sent to every subscriber allowed to see it. Nothing else is kept:
 * another replica's subscribers get the same notifications from PostgreSQL. The reviewers
 * trigger's notifications on the same connection end a stream as soon as its token is revoked
 * or its reviewer removed, on whichever replica that happened.
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
    private readonly reviewers: ReviewersRepository,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.schema = (dataSource.options as PostgresDataSourceOptions).schema ?? 'escalation';
  }

  /**
   * Counts the stream in at once (so streams opened together are capped together), or throws
   * 429 when its token already holds LIVE_STREAMS_PER_TOKEN of them. Returns its unsubscribe.
   */
  add(subscriber: ChangeSubscriber): () => void {
    const limit = this.config.LIVE_STREAMS_PER_TOKEN;
    let held = 0;
    for (const other of this.subscribers) if (other.tokenHash === subscriber.tokenHash) held += 1;
    if (held >= limit) throw tooManyStreams(limit);
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /**
   * Resolves once the connection listens (so no change after this returns is missed), then
   * checks the token once more: one revoked between the request's authentication and the
   * LISTEN would otherwise go unnoticed. Throws when the connection cannot listen.
   */
  async start(subscriber: ChangeSubscriber): Promise<void> {
    try {
      await this.listen();
    } catch (error) {
      this.subscribers.delete(subscriber);
      throw error;
    }
    await this.reauthorize(subscriber);
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
    const client = new Client({ ...postgresConnection(this.config), connectionTimeoutMillis: 5_000 });
    client.on('notification', (message: Notification) => {
      this.delivering = this.delivering.then(() => (message.channel === REVIEWER_CHANGES_CHANNEL ? this.reviewerChanged(message) : this.deliver(message)));
    });
    client.on('error', (error) => this.dropped(client, error));
    client.on('end', () => this.dropped(client, null));
    await client.connect();
    await client.query(`LISTEN ${APPROVAL_CHANGES_CHANNEL}; LISTEN ${REVIEWER_CHANGES_CHANNEL}`);
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

  /** A reviewer changed: each of their streams is re-checked against its token. */
  private async reviewerChanged(message: Notification): Promise<void> {
    const notice = parseReviewerNotice(message.payload);
    if (notice === null || notice.schema !== this.schema) return;
    for (const subscriber of [...this.subscribers]) {
      if (subscriber.viewer.id === notice.reviewer_id) await this.reauthorize(subscriber);
    }
  }

  /** Ends the stream unless its token still belongs to its reviewer; otherwise takes the reviewer's current roles. */
  private async reauthorize(subscriber: ChangeSubscriber): Promise<void> {
    let holder;
    try {
      holder = await this.reviewers.findByTokenHash(subscriber.tokenHash);
    } catch (error) {
      // Unable to tell whether the token still stands: fail closed, the console reconnects.
      this.logger.warn({ err: error, reviewer: subscriber.viewer.id }, "approval changes: could not re-check a stream's token; ending it");
      holder = null;
    }
    const verdict = reauthorized(subscriber.viewer.id, holder === null ? null : withoutToken(holder));
    if (verdict.kind === 'keep') {
      subscriber.viewer = verdict.viewer;
      return;
    }
    if (!this.subscribers.delete(subscriber)) return;
    this.logger.info({ reviewer: subscriber.viewer.id }, 'live stream ended: its token was revoked or its reviewer removed');
    subscriber.close(verdict.ending);
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
    const policy = this.manifests.forWorkspace(row.workspace).manifest.actions.get(row.action);
    const now = new Date();
    for (const subscriber of this.subscribers) {
      const event = changeFor(subscriber.viewer, notice, row, policy, now);
      if (event) subscriber.send(event);
    }
  }
}
