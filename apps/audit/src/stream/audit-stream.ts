import { CanonicalRow } from '@hitl/audit-trail';
import { SERVICE_TRUST, Trust, serviceTable } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { ClientBase } from 'pg';
import { EntityManager } from 'typeorm';
import { copyToOutbox } from './outbox-copy';
import { recordedMessages } from './recorded-event';

/** Where chained rows go besides the record: the audit's stream, through its outbox. */
export interface RecordStream {
  /** In the transaction that chains `rows`: one write to the outbox for all of them. */
  publish(manager: EntityManager, rows: readonly CanonicalRow[], recordedAt: Date): Promise<void>;
}

/**
 * Publishes every chained row on audit.recorded: written to the outbox in the transaction
 * that chains it (so a row is published if and only if it is recorded, and once: a
 * redelivered event chains nothing new), then sent by the outbox relay.
 */
@Injectable()
export class AuditStream implements RecordStream {
  constructor(@Inject(SERVICE_TRUST) private readonly trust: Trust) {}

  async publish(manager: EntityManager, rows: readonly CanonicalRow[], recordedAt: Date): Promise<void> {
    if (rows.length === 0) return;
    const key = this.trust.signingKey;
    // The service definition requires the key (signs: 'audit'); a record never goes unpublished.
    if (!key) throw new Error('the audit has no signing key (SIGNING_KEY_FILE), so it cannot publish audit.recorded');
    const runner = manager.queryRunner;
    if (!runner) throw new Error('the audit stream is written in the transaction of a query runner (the one that chains the rows)');
    // One binary COPY on the transaction's own connection, as the rows themselves are written.
    await copyToOutbox((await runner.connect()) as ClientBase, serviceTable(manager, 'outbox'), recordedMessages(rows, recordedAt, key));
  }
}
