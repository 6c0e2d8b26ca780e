// The CloudEvents Kafka protocol binding, structured content mode
// (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md#33-structured-content-mode):
// the whole event, attributes and data, is the message value as JSON; the `content-type`
// header says so; the key is the event's subject (the decision), except on the audit's
// stream, keyed by workspace so each workspace's chain stays in order. No `ce_` headers:
// those belong to the binary mode, which this contract does not use.
import { AnyEvent } from './catalogue';
import { AUDIT_RECORDED } from './events/audit-recorded';

/** The `content-type` header of every event message (the binding's structured mode). */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

/** The Kafka header that carries it. */
export const CONTENT_TYPE_HEADER = 'content-type';

/** The headers of an event message. */
export function eventHeaders(): Record<string, string> {
  return { [CONTENT_TYPE_HEADER]: CLOUDEVENTS_CONTENT_TYPE };
}

/** The Kafka key of an event's message: its subject, or, for `hitl.audit.recorded.v1`, its workspace (the chain it belongs to). */
export function messageKeyOf(event: AnyEvent): string {
  return event.type === AUDIT_RECORDED ? event.workspaceid : event.subject;
}
