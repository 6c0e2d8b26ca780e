import { randomUUID } from 'node:crypto';
import { CloudEvent, EventData, EventType, subjectFieldOf } from './catalogue';

export interface EventMeta {
  /** The producer, e.g. `hitl/router` or `agent/refund-bot`. */
  source: string;
  workspaceid: string;
  id?: string;
  time?: Date;
}

/** Wraps `data` in a CloudEvents envelope; the subject is the decision it is about (a directory change: the change). */
export function newEvent<T extends EventType>(type: T, data: EventData<T>, meta: EventMeta): CloudEvent<T> {
  return {
    specversion: '1.0',
    id: meta.id ?? randomUUID(),
    source: meta.source,
    type,
    time: (meta.time ?? new Date()).toISOString(),
    subject: (data as Record<string, string>)[subjectFieldOf(type)],
    datacontenttype: 'application/json',
    workspaceid: meta.workspaceid,
    data,
  };
}
