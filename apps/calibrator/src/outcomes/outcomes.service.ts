import { AnyEvent } from '@hitl/contracts';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { outcomeRows } from './outcome-rows';
import { saveOutcomes } from './outcomes.repository';
import { rowsKept } from './outcomes.metrics';

/** Keeps what calibration needs of a chunk of events, in the chunk's transaction. */
@Injectable()
export class OutcomesService {
  async record(manager: EntityManager, events: AnyEvent[]): Promise<void> {
    const written = await saveOutcomes(manager, outcomeRows(events));
    for (const [name, n] of Object.entries(written)) rowsKept.inc({ table: name }, n);
  }
}
