import { DeadLetter, deadLetterRecord, recordOf } from '@hitl/audit-trail';
import { AnyEvent } from '@hitl/contracts';
import { ManifestStore } from '@hitl/service-kit';
import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { EntityManager } from 'typeorm';
import { appendRecords } from './events.repository';

const recorded = new Counter({ name: 'hitl_audit_events_recorded_total', help: 'Events written to the audit record (duplicates are not counted)' });

/** Turns what arrives into redacted records and appends them to the chain, in the batch's transaction. */
@Injectable()
export class IngestionService {
  constructor(private readonly manifests: ManifestStore) {}

  private readonly redactPaths = (action: string): readonly string[] => this.manifests.current.manifest.actions.get(action)?.redact ?? [];

  async recordEvents(manager: EntityManager, events: AnyEvent[]): Promise<void> {
    recorded.inc(await appendRecords(manager, events.map((e) => recordOf(e, this.redactPaths))));
  }

  async recordDeadLetters(manager: EntityManager, letters: DeadLetter[]): Promise<void> {
    recorded.inc(await appendRecords(manager, letters.map((l) => deadLetterRecord(l, this.redactPaths))));
  }
}
