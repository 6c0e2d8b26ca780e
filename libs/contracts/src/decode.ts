import { z } from 'zod';
import { AnyEvent, CloudEvent, EventType, eventSchema, isEventType, topicOf } from './catalogue';
import { Envelope } from './envelope';
import { ContractViolation, contractViolation } from './errors';
import { findUnstorable } from './text';
import { Topic } from './topics';

/** A decoded event, and the JSON object as it arrived (signatures are verified over that, not the parsed event). */
export type Decoded = { ok: true; event: AnyEvent; raw: Record<string, unknown> } | { ok: false; violation: ContractViolation };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Plain-words rendering of zod issues: `data.confidence: Too big: expected number to be <=1`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}

/** The decision a message is about, when one can be read from it even if it is invalid. */
function readDecisionId(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const record = json as { data?: { decision_id?: unknown }; subject?: unknown };
  const candidates = [record.data?.decision_id, record.subject];
  return candidates.find((c): c is string => typeof c === 'string' && UUID.test(c));
}

/**
 * Decodes one Kafka message value read from `topic` into an event of the contract,
 * or says exactly why it is not one. Never throws.
 */
export function decodeEvent(topic: Topic, value: Buffer | string | null | undefined): Decoded {
  if (value === null || value === undefined || value.length === 0) {
    return { ok: false, violation: contractViolation('empty_message', 'the message has no value') };
  }
  let json: unknown;
  const text = typeof value === 'string' ? value : value.toString('utf8');
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, violation: contractViolation('invalid_json', `not valid JSON: ${(error as Error).message}`) };
  }
  const decisionId = readDecisionId(json);
  // Refused, not cleaned: what is reviewed and recorded must be what was signed (see text.ts).
  const unstorable = findUnstorable(json, text);
  if (unstorable?.problem === 'character') {
    return {
      ok: false,
      violation: contractViolation('unsupported_character', `${unstorable.path} holds U+0000 or a lone UTF-16 surrogate, which hitl cannot store`, decisionId),
    };
  }
  if (unstorable?.problem === 'number') {
    return { ok: false, violation: contractViolation('invalid_data', `${unstorable.path}: a number out of range (beyond a double)`, decisionId) };
  }
  // The usual case in one parse (the event's schema holds the envelope's); the rest below
  // only says why a message is refused.
  const claimed = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  if (typeof claimed === 'string' && isEventType(claimed) && topicOf(claimed) === topic) {
    const parsed = eventSchema(claimed).safeParse(json);
    if (parsed.success) return { ok: true, event: parsed.data as AnyEvent, raw: json as Record<string, unknown> };
  }
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) {
    return { ok: false, violation: contractViolation('invalid_envelope', describeIssues(envelope.error), decisionId) };
  }
  const type = envelope.data.type;
  if (!isEventType(type)) {
    return { ok: false, violation: contractViolation('unknown_type', `unknown event type "${type}"`, decisionId) };
  }
  if (topicOf(type) !== topic) {
    return {
      ok: false,
      violation: contractViolation('wrong_topic', `type "${type}" belongs on topic "${topicOf(type)}", not "${topic}"`, decisionId),
    };
  }
  const parsed = eventSchema(type).safeParse(json);
  if (!parsed.success) {
    return { ok: false, violation: contractViolation('invalid_data', describeIssues(parsed.error), decisionId) };
  }
  return { ok: true, event: parsed.data as AnyEvent, raw: json as Record<string, unknown> };
}

/** Checks an event before it is produced; throws a ContractViolation error when it breaks the contract. */
export function assertValidEvent<T extends EventType>(event: CloudEvent<T>): CloudEvent<T> {
  if (!isEventType(event.type)) {
    throw contractViolation('unknown_type', `unknown event type "${String(event.type)}"`, event.subject).toError();
  }
  const parsed = eventSchema(event.type).safeParse(event);
  if (!parsed.success) {
    throw contractViolation('invalid_data', `${event.type}: ${describeIssues(parsed.error)}`, event.subject).toError();
  }
  return event;
}
