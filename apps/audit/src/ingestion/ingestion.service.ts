import { DeadLetter, deadLetterRecord, needsProposer, proposerOf, recordOf, signatureRecord, withProposerCheck } from '@hitl/audit-trail';
import { AnyEvent, SignatureVerdict } from '@hitl/contracts';
import { RetryLaterError } from '@hitl/messaging';
import { SERVICE_LOGGER, ManifestStore } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { EntityManager } from 'typeorm';
import { AuditStream } from '../stream/audit-stream';
import { appendRecords, recordedProposers } from './events.repository';
import { eventsRecorded, refusedEventsRecorded } from './ingestion.metrics';

/**
 * How long an event the proposing agent signs may wait for its decision's proposal to reach
 * the record. Topics are read side by side, so after a restart an action.executed can come
 * before its decision.proposed; within this time the chunk is retried (the transport's
 * transient-error path) rather than the event being marked refused for good. Past it, it is
 * recorded as refused: nothing on the record shows its signer proposed the decision.
 */
export const PROPOSER_WAIT_MS = 10_000;

/** Thrown to have the transport retry the chunk: a proposal it needs may still come. */
export class ProposalNotYetRecorded extends RetryLaterError {
  constructor(readonly eventIds: string[]) {
    super(
      `waiting for the proposals of ${eventIds.length} event(s) signed by their agent (${eventIds.slice(0, 3).join(', ')}${eventIds.length > 3 ? ', …' : ''})`,
    );
    this.name = 'ProposalNotYetRecorded';
  }
}

const key = (workspace: string, decisionId: string) => `${workspace}\u0000${decisionId.toLowerCase()}`;

/** Turns what arrives into redacted records and appends them to the chain, in the batch's transaction. */
@Injectable()
export class IngestionService {
  /** When each event waiting for its proposal was first seen (this process); bounded. */
  private readonly waitingSince = new Map<string, number>();

  constructor(
    private readonly manifests: ManifestStore,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly stream: AuditStream,
  ) {}

  /**
   * What is never stored in clear for an action: what any manifest in force says (the
   * default and every workspace's own), so a dead letter whose workspace cannot be read,
   * or a workspace that forgot a field, still keeps the secret out of the record.
   */
  private readonly redactPaths = (action: string): readonly string[] => {
    const { default: fallback, workspaces } = this.manifests.all;
    return [...new Set([fallback, ...workspaces.values()].flatMap((m) => m.manifest.actions.get(action)?.redact ?? []))];
  };

  /**
   * `signatureOf(id)`: what the transport found verifying each event. Every event is
   * recorded, refused ones marked; those the proposing agent signs are refused as well
   * when their signer is not that agent.
   */
  async recordEvents(
    manager: EntityManager,
    events: AnyEvent[],
    signatureOf: (eventId: string) => SignatureVerdict | undefined,
    now = Date.now(),
  ): Promise<void> {
    const proposers = await this.proposers(manager, events, signatureOf);
    const waiting: string[] = [];
    const records = events.map((event) => {
      let verdict = signatureOf(event.id);
      if (needsProposer(event) && verdict?.ok) {
        const proposer = proposers.get(key(event.workspaceid, event.subject));
        if (proposer === undefined && this.mayStillCome(event.id, now)) waiting.push(event.id);
        verdict = withProposerCheck(event, verdict, proposer);
      }
      return recordOf(event, this.redactPaths, signatureRecord(verdict));
    });
    if (waiting.length > 0) {
      this.logger.info(
        { events: waiting.length, waitMs: PROPOSER_WAIT_MS },
        'events signed by an agent wait for their proposal to be recorded; the chunk is retried',
      );
      throw new ProposalNotYetRecorded(waiting);
    }
    for (const event of events) this.waitingSince.delete(event.id);
    eventsRecorded.inc(await appendRecords(manager, records, this.stream));
    for (const record of records) if (record.verified === false) refusedEventsRecorded.inc({ code: record.refusal?.split(':')[0] ?? 'unknown' });
  }

  async recordDeadLetters(manager: EntityManager, letters: DeadLetter[]): Promise<void> {
    eventsRecorded.inc(
      await appendRecords(
        manager,
        letters.map((l) => deadLetterRecord(l, this.redactPaths)),
        this.stream,
      ),
    );
  }

  /** Who proposed each decision the chunk's agent-signed events are about: from the record, else from this chunk. */
  private async proposers(
    manager: EntityManager,
    events: AnyEvent[],
    signatureOf: (eventId: string) => SignatureVerdict | undefined,
  ): Promise<Map<string, string>> {
    const wanted = new Map<string, Set<string>>();
    for (const event of events) {
      if (!needsProposer(event)) continue;
      const ids = wanted.get(event.workspaceid) ?? new Set<string>();
      wanted.set(event.workspaceid, ids.add(event.subject.toLowerCase()));
    }
    const found = new Map<string, string>();
    if (wanted.size === 0) return found;
    for (const [workspace, ids] of wanted) {
      for (const [decisionId, agent] of await recordedProposers(manager, workspace, [...ids])) found.set(key(workspace, decisionId), agent);
    }
    for (const event of events) {
      const agent = proposerOf(event, signatureOf(event.id));
      const at = key(event.workspaceid, event.subject);
      if (agent !== undefined && !found.has(at)) found.set(at, agent);
    }
    return found;
  }

  private mayStillCome(eventId: string, now: number): boolean {
    // Events of a partition this replica no longer reads never come back to clear their entry.
    if (this.waitingSince.size > 10_000) this.waitingSince.clear();
    const since = this.waitingSince.get(eventId) ?? now;
    this.waitingSince.set(eventId, since);
    return now - since < PROPOSER_WAIT_MS;
  }
}
