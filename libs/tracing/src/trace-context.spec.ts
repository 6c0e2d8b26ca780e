import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { Tracing, otlpTracesUrl, startTracing } from './start';
import { contextOf, inSpan, traceCarrierOf, traceLogFields, tracer, withTraceContext } from './trace-context';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('without an SDK (tracing off)', () => {
  it('adds nothing to an event and logs no trace fields', () => {
    const event = { id: 'e1' };
    expect(withTraceContext(event)).toBe(event);
    expect(traceCarrierOf()).toEqual({});
    expect(traceLogFields()).toEqual({});
  });

  it('passes an incoming trace context on unchanged (the no-op span keeps it)', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const span = tracer().startSpan('process', {}, contextOf({ traceparent }));
    expect(withTraceContext({ id: 'e2' }, trace.setSpan(ROOT_CONTEXT, span))).toEqual({ id: 'e2', traceparent });
    span.end();
  });

  it('startTracing is off without an endpoint or processors, and when disabled', () => {
    expect(startTracing({ serviceName: 'router' })).toBeNull();
    expect(startTracing({ serviceName: 'router', endpoint: { base: 'http://127.0.0.1:4318' }, disabled: true })).toBeNull();
  });
});

describe('with the SDK', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | null;

  beforeAll(() => {
    tracing = startTracing({ serviceName: 'test', spanProcessors: [new SimpleSpanProcessor({ exporter })], detectResources: false });
  });
  afterAll(() => tracing?.shutdown());
  beforeEach(() => exporter.reset());

  it('stamps the active span as traceparent, and reads it back as a remote parent', async () => {
    await inSpan('propose', {}, async (span) => {
      const event: { id: string; traceparent?: string } = withTraceContext({ id: 'e3' });
      const [, traceId, spanId] = TRACEPARENT.exec(event.traceparent ?? '') ?? [];
      expect({ traceId, spanId }).toEqual({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
      expect(trace.getSpanContext(contextOf(event))).toMatchObject({ traceId, spanId, isRemote: true });
      // Through awaits (the AsyncLocalStorage context manager): still this span.
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(traceLogFields()).toEqual({ trace_id: traceId, span_id: spanId });
    });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['propose']);
  });

  it('never replaces a traceparent an event has', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const span = tracer().startSpan('emit');
    const stamped = context.with(trace.setSpan(ROOT_CONTEXT, span), () => withTraceContext({ traceparent }));
    span.end();
    expect(stamped).toEqual({ traceparent });
  });

  it('ignores a malformed traceparent: the parent stays as it was', () => {
    for (const traceparent of ['', 'garbage', '00-00000000000000000000000000000000-b7ad6b7169203331-01', 42]) {
      expect(trace.getSpanContext(contextOf({ traceparent }))).toBeUndefined();
    }
  });

  it('records a failure on the span and rethrows it', async () => {
    await expect(inSpan('fails', {}, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(exporter.getFinishedSpans()[0].status).toMatchObject({ code: 2, message: 'boom' });
  });
});

describe('otlpTracesUrl', () => {
  it('appends /v1/traces to a base URL, takes a traces URL as it is', () => {
    expect(otlpTracesUrl({ base: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl({ traces: 'http://collector:4318/custom' })).toBe('http://collector:4318/custom');
  });
});
