import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { contextOf, withTraceContext, withTraceIds } from './tracing';

// Without an SDK the API's spans are no-ops, but a span context set on a context still
// propagates: what an agent passes on is exactly what it was given.
const parent = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
const inParent = () => trace.setSpanContext(ROOT_CONTEXT, parent);

describe('the agent SDK’s trace context', () => {
  // What an agent's SDK registers (sdk-node does): the active context follows awaits.
  beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
  afterAll(() => context.disable());

  it('stamps the active span context on an event as traceparent, and reads it back', () => {
    const event: { id: string; traceparent?: string } = withTraceContext({ id: 'e1' }, inParent());
    expect(event).toEqual({ id: 'e1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    expect(trace.getSpanContext(contextOf(event))).toMatchObject({ traceId: parent.traceId, spanId: parent.spanId, isRemote: true });
  });

  it('leaves an event as it is outside any span, or when it has a traceparent', () => {
    const plain = { id: 'e2' };
    expect(withTraceContext(plain, ROOT_CONTEXT)).toBe(plain);
    const carried = { id: 'e3', traceparent: '00-11111111111111111111111111111111-2222222222222222-01' };
    expect(withTraceContext(carried, inParent())).toBe(carried);
    expect(trace.getSpanContext(contextOf({ id: 'e4' }))).toBeUndefined();
    expect(trace.getSpanContext(contextOf({ traceparent: 'not one' }))).toBeUndefined();
  });

  it('adds trace_id and span_id to the log lines written in a span', () => {
    const lines: object[] = [];
    const push = (fields: object) => void lines.push(fields);
    const logger = withTraceIds({ debug: push, info: push, warn: push, error: push });
    logger.info({ a: 1 }, 'outside');
    // The active span: here the propagated (no-op) one.
    context.with(inParent(), () => logger.warn({ a: 2 }, 'inside'));
    expect(lines).toEqual([{ a: 1 }, { a: 2, trace_id: parent.traceId, span_id: parent.spanId }]);
  });
});
