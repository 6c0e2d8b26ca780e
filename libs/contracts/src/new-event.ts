import { randomUUID } from 'node:crypto';
import { CloudEvent, EventData, EventType } from './catalogue';

export interface EventMeta {
  /** The producer, e.g. `hitl/router` or `agent/refund-bot`. */
  source: string;
  workspaceid: string;
  id?: string;
  time?: Date;
}

/** Wraps `data` in a CloudEvents envelope; the subject is the decision it is about. */
export function newEvent<T extends EventType>(type: T, data: EventData<T>, meta: EventMeta): CloudEvent<T> {
  return {
    specversion: '1.0',
    id: meta.id ?? randomUUID(),
    source: meta.source,
    type,
    time: (meta.time ?? new Date()).toISOString(),
    subject: data.decision_id,
    datacontenttype: 'application/json',
    workspaceid: meta.workspaceid,
    data,
  };
}
