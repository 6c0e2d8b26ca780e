import { AnyEvent } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { maskParameters } from '@hitl/policy';
import { ManifestStore } from '@hitl/service-kit';
import { Injectable } from '@nestjs/common';
import { OutcomeRows, outcomeRows } from './outcome-rows';
import { saveOutcomes } from './outcomes.repository';
import { rowsKept } from './outcomes.metrics';

/** Keeps what calibration needs of a chunk of events, in the chunk's transaction. */
@Injectable()
export class OutcomesService {
  constructor(private readonly manifests: ManifestStore) {}

  async record(ctx: MessageContext, events: AnyEvent[]): Promise<void> {
    const signerOf = (eventId: string) => {
      const signer = ctx.signer(eventId);
      return signer === null ? null : signer.kind === 'service' ? signer.service : signer.id;
    };
    const written = await saveOutcomes(ctx.manager, this.masked(outcomeRows(events, signerOf)));
    for (const [name, n] of Object.entries(written)) rowsKept.inc({ table: name }, n);
  }

  /** A reviewer's edited parameters are kept for edit analysis: never the fields the workspace's manifest redacts. */
  private masked(rows: OutcomeRows): OutcomeRows {
    const redactOf = (workspace: string, action: string) => this.manifests.forWorkspace(workspace).manifest.actions.get(action)?.redact ?? [];
    return {
      ...rows,
      resolutions: rows.resolutions.map((r) =>
        r.parameters === null ? r : { ...r, parameters: maskParameters(r.parameters, redactOf(r.workspace, r.action)) },
      ),
    };
  }
}
