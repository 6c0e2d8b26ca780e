// Tracing in the agent SDK, through the OpenTelemetry API only: the agent's process decides
// whether there is an SDK (a no-op otherwise). A proposal starts the decision's trace; its
// W3C trace context rides on the event (CloudEvents distributed tracing: `traceparent`,
// `tracestate`), set before signing so the signature covers it.
import { Context, ROOT_CONTEXT, TextMapGetter, TextMapSetter, context, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** The SDK's spans: `propose <action>`, `deliver resolution`. */
const tracer = trace.getTracer('@hitl/agent-sdk');
export const agentTracer = () => tracer;

const w3c = new W3CTraceContextPropagator();
const getter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = (carrier as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  },
};
const setter: TextMapSetter<TraceCarrier> = {
  set: (carrier, key, value) => {
    if (key === 'traceparent' || key === 'tracestate') carrier[key] = value;
  },
};

/** The event with the active trace context as `traceparent` (and `tracestate`); unchanged outside any span. */
export function withTraceContext<E extends object>(event: E, ctx: Context = context.active()): E {
  if (typeof (event as TraceCarrier).traceparent === 'string' || trace.getSpanContext(ctx) === undefined) return event;
  const carrier: TraceCarrier = {};
  w3c.inject(ctx, carrier, setter);
  return carrier.traceparent === undefined ? event : { ...event, ...carrier };
}

/** The context an event carries (its `traceparent`), as the parent of what handling it does. */
export function contextOf(event: object): Context {
  return typeof (event as TraceCarrier).traceparent === 'string' ? w3c.extract(ROOT_CONTEXT, event as TraceCarrier, getter) : ROOT_CONTEXT;
}

type Fields = object;
/** The AgentLogger's shape (pino's). */
interface Logger {
  debug(fields: Fields, message?: string): void;
  info(fields: Fields, message?: string): void;
  warn(fields: Fields, message?: string): void;
  error(fields: Fields, message?: string): void;
}

/** The agent's logger with `trace_id` and `span_id` on every line written while a span is active. */
export function withTraceIds(logger: Logger): Logger {
  const add = (fields: Fields): Fields => {
    const spanContext = trace.getActiveSpan()?.spanContext();
    return spanContext && trace.isSpanContextValid(spanContext) ? { ...fields, trace_id: spanContext.traceId, span_id: spanContext.spanId } : fields;
  };
  return {
    debug: (fields, message) => logger.debug(add(fields), message),
    info: (fields, message) => logger.info(add(fields), message),
    warn: (fields, message) => logger.warn(add(fields), message),
    error: (fields, message) => logger.error(add(fields), message),
  };
}
