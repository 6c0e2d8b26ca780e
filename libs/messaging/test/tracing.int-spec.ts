// The transport and the trace context, in one process with the SDK's in-memory exporter:
// each consumed event is handled in a span that continues the trace its `traceparent` names,
// and what the handler emits (through the outbox, or published after the commit by a batch
// handler) carries that span's context, signed with the rest of the event.
import { randomUUID } from 'node:crypto';
import { AnyEvent, DECISION_PROPOSED, OUTCOME_LABELED, Topic, Topics, decodeEvent, exampleEvent } from '@hitl/contracts';
import { signed, testTrust } from '@hitl/testing';
import { Tracing, startTracing } from '@hitl/tracing';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { KafkaMessage } from 'kafkajs';
import { Harness, RunningConsumer, createHarness, produce, readTopic, startConsumer } from './support/harness';

const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
const incoming = () => ({ traceId: hex(32), spanId: hex(16) });

function about<T extends typeof DECISION_PROPOSED | typeof OUTCOME_LABELED>(type: T) {
  const event = exampleEvent(type, { id: randomUUID() });
  event.data.decision_id = event.subject = randomUUID();
  return event;
}

/** Signed as its emitter would: the traceparent set first, so the signature covers it. */
const sent = (event: AnyEvent, parent?: { traceId: string; spanId: string }) => ({
  key: 'one-partition',
  value: JSON.stringify(signed(parent ? { ...event, traceparent: `00-${parent.traceId}-${parent.spanId}-01` } : event)),
});

describe('tracing on the batch transport', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | null;
  let h: Harness;
  let consumer: RunningConsumer;

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'messaging-test', spanProcessors: [new SimpleSpanProcessor({ exporter })], detectResources: false });
    h = await createHarness('trace');
    consumer = await startConsumer(h);
  });

  afterAll(async () => {
    await consumer?.close();
    await h?.close();
    await tracing?.shutdown();
  });

  const spanOf = (topic: Topic, eventId: string): ReadableSpan | undefined =>
    exporter.getFinishedSpans().find((s) => s.name === `${topic} process` && s.attributes['messaging.message.id'] === eventId);

  /** The output about `decisionId` on `topic`, decoded and verified. */
  async function outputAbout(topic: Topic, messages: KafkaMessage[], decisionId: string) {
    const value = messages.map((m) => m.value!).find((v) => JSON.parse(v.toString()).subject === decisionId);
    const decoded = decodeEvent(topic, value ?? null);
    if (!decoded.ok) throw new Error(`no valid ${topic} about ${decisionId}`);
    expect(testTrust().keyring.verify(decoded.raw, decoded.event)).toMatchObject({ ok: true });
    return decoded.event;
  }

  it('one event at a time: the handler’s span continues the incoming trace, and what it emits through the outbox carries it', async () => {
    const traced = about(DECISION_PROPOSED);
    const untraced = about(DECISION_PROPOSED);
    const parent = incoming();
    await produce(h, Topics.DecisionProposed, [sent(traced, parent), sent(untraced)]);
    const resolved = await readTopic(h, Topics.ApprovalResolved, (m) => m.length >= 2);

    const span = spanOf(Topics.DecisionProposed, traced.id)!;
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.spanContext().traceId).toBe(parent.traceId);
    expect(span.parentSpanContext).toMatchObject({ spanId: parent.spanId, isRemote: true });
    expect(span.attributes).toMatchObject({ 'messaging.destination.name': 'decision.proposed', 'messaging.consumer.group.name': h.groupId });
    const output = await outputAbout(Topics.ApprovalResolved, resolved, traced.subject);
    expect(output.traceparent).toBe(`00-${parent.traceId}-${span.spanContext().spanId}-01`);

    // Without a traceparent, the handler's span starts a trace, which its output carries.
    const root = spanOf(Topics.DecisionProposed, untraced.id)!;
    expect(root.parentSpanContext).toBeUndefined();
    expect((await outputAbout(Topics.ApprovalResolved, resolved, untraced.subject)).traceparent).toBe(
      `00-${root.spanContext().traceId}-${root.spanContext().spanId}-01`,
    );
  });

  it('a batch handler publishing after the commit: each output carries the span of the event it came from', async () => {
    const labels = [about(OUTCOME_LABELED), about(OUTCOME_LABELED), about(OUTCOME_LABELED)];
    const parents = labels.map(incoming);
    await produce(
      h,
      Topics.OutcomeLabeled,
      labels.map((e, i) => sent(e, parents[i])),
    );
    const subjects = new Set(labels.map((e) => e.subject));
    const resolved = await readTopic(h, Topics.ApprovalResolved, (m) => m.filter((x) => subjects.has(JSON.parse(x.value!.toString()).subject)).length >= 3);
    for (const [i, label] of labels.entries()) {
      const span = spanOf(Topics.OutcomeLabeled, label.id)!;
      expect(span.spanContext().traceId).toBe(parents[i].traceId);
      expect(span.parentSpanContext?.spanId).toBe(parents[i].spanId);
      expect((await outputAbout(Topics.ApprovalResolved, resolved, label.subject)).traceparent).toBe(
        `00-${parents[i].traceId}-${span.spanContext().spanId}-01`,
      );
    }
  });
});
