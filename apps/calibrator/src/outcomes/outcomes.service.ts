import { AnyEvent } from '@hitl/contracts';
import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { EntityManager } from 'typeorm';
import { outcomeRows } from './outcome-rows';
import { saveOutcomes } from './outcomes.repository';

const kept = new Counter({ name: 'hitl_calibrator_rows_written_total', help: 'Decisions, resolutions and labels kept (what was already there is not counted)', labelNames: ['table'] });

/** Keeps what calibration needs of a chunk of events, in the chunk's transaction. */
@Injectable()
export class OutcomesService {
  async record(manager: EntityManager, events: AnyEvent[]): Promise<void> {
    const written = await saveOutcomes(manager, outcomeRows(events));
    for (const [name, n] of Object.entries(written)) kept.inc({ table: name }, n);
  }
}
