// The trace context on what a service emits: stamped before signing (the signature covers
// it), from the span that caused the event; nothing added when there is no span.
import { APPROVAL_REQUESTED, DECISION_PROPOSED, AnyEvent, decodeEvent, exampleEvent, generateSigningKey, signatureVerifies } from '@hitl/contracts';
import { Tracing, contextOf, startTracing, tracer } from '@hitl/tracing';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { createPublicKey } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { MessageContext } from '../transport/message-context';
import { Outbox, RawOutboxMessage } from './outbox';

const { key } = generateSigningKey();
const publicKey = createPublicKey(key.privateKey);
const outbox = new Outbox('router', key);

const sent = (message: RawOutboxMessage) => JSON.parse(message.value.toString('utf8')) as AnyEvent & { traceparent?: string };

describe('the outbox and the trace context', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | null;
  beforeAll(() => {
    tracing = startTracing({ serviceName: 'test', spanProcessors: [new SimpleSpanProcessor({ exporter })], detectResources: false });
  });
  afterAll(() => tracing?.shutdown());

  it('stamps the active span as traceparent before signing: the signature covers it and verifies', () => {
    const span = tracer().startSpan('handle');
    const [message] = context.with(trace.setSpan(ROOT_CONTEXT, span), () => outbox.encode([exampleEvent(APPROVAL_REQUESTED)], { checkContract: true }));
    span.end();
    const event = sent(message);
    expect(event.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    const decoded = decodeEvent('approval.requested', message.value);
    expect(decoded.ok).toBe(true);
    expect(signatureVerifies(event, publicKey)).toBe(true);
    // Changing the traceparent after signing breaks the signature.
    expect(signatureVerifies({ ...event, traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` }, publicKey)).toBe(false);
  });

  it('adds nothing outside any span', () => {
    const [message] = outbox.encode([exampleEvent(APPROVAL_REQUESTED)], { checkContract: true });
    expect(sent(message)).not.toHaveProperty('traceparent');
    expect(signatureVerifies(sent(message), publicKey)).toBe(true);
  });

  it('a batch: what a handler emits about a subject carries the span of the event about that subject', () => {
    const spans = ['a', 'b'].map((name) => tracer().startSpan(name));
    const [first, second] = [exampleEvent(DECISION_PROPOSED), exampleEvent(DECISION_PROPOSED)];
    // Two different decisions.
    second.subject = '0b7f9a0e-3a8e-4f32-9a64-6f2f4d6c1b11';
    const traces = new Map([
      [first.subject, trace.setSpan(ROOT_CONTEXT, spans[0])],
      [second.subject, trace.setSpan(ROOT_CONTEXT, spans[1])],
    ]);
    const outputs: AnyEvent[] = [];
    const ctx = new MessageContext({} as EntityManager, outbox, null, new Map(), outputs, traces);
    ctx.emitAfterCommit(second, first);
    for (const span of spans) span.end();
    expect(outputs.map((e) => trace.getSpanContext(contextOf(e))?.spanId)).toEqual([spans[1].spanContext().spanId, spans[0].spanContext().spanId]);
    // Signed later, as they are: the traceparent each got stays.
    expect(outbox.encode(outputs, { checkContract: false }).map((m) => sent(m).traceparent)).toEqual(outputs.map((e) => e.traceparent));
  });
});
