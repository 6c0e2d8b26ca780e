import { AnyEvent } from '@hitl/contracts';
import { maskParameters } from '@hitl/policy';
import { ManifestStore } from '@hitl/service-kit';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OutcomeRows, outcomeRows } from './outcome-rows';
import { saveOutcomes } from './outcomes.repository';
import { rowsKept } from './outcomes.metrics';

/** Keeps what calibration needs of a chunk of events, in the chunk's transaction. */
@Injectable()
export class OutcomesService {
  constructor(private readonly manifests: ManifestStore) {}

  async record(manager: EntityManager, events: AnyEvent[]): Promise<void> {
    const written = await saveOutcomes(manager, this.masked(outcomeRows(events)));
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
