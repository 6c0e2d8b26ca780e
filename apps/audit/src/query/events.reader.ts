import { serviceTable } from '@hitl/service-kit';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventRow } from './event-view';
import { EVENT_COLUMNS, EventFilters, Position, searchStatement } from './events-query';

/** Reads of the record (through the service's INSERT-and-SELECT role). */
@Injectable()
export class EventsReader {
  constructor(private readonly dataSource: DataSource) {}

  page(workspace: string, filters: EventFilters, after: Position | null, limit: number): Promise<EventRow[]> {
    const { text, params } = searchStatement(this.events, workspace, filters, after, limit);
    return this.dataSource.query(text, params);
  }

  /** Every row about one decision, in the order things happened. */
  ofDecision(decisionId: string): Promise<EventRow[]> {
    return this.dataSource.query(`SELECT ${EVENT_COLUMNS} FROM ${this.events} WHERE decision_id = $1 ORDER BY occurred_at, seq`, [decisionId]);
  }

  private get events(): string {
    return serviceTable(this.dataSource.manager, 'events');
  }
}
