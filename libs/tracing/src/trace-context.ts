// The W3C trace context as it rides on hitl's events: the CloudEvents distributed-tracing
// extension (`traceparent`, `tracestate` on the envelope itself). Set before the event is
// signed, so the signature covers it; never added or changed after.
import { Context, Link, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, TextMapGetter, TextMapSetter, Tracer, context, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** The extension attributes of the CloudEvents distributed-tracing extension. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** The instrumentation scope of every hitl span. */
export const TRACER_NAME = 'hitl';

// The API's proxy: it finds the SDK's tracer once one is registered, and is the no-op till then.
const hitlTracer = trace.getTracer(TRACER_NAME);

/** hitl's tracer: a no-op until an SDK is registered (startTracing, or a test's provider). */
export function tracer(): Tracer {
  return hitlTracer;
}

// Always W3C, whatever propagators the process registered (none, when tracing is off): the
// format on the wire is the contract's, not a deployment choice.
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

/** The trace context of `ctx` (default: the active one) as attributes; empty when it holds no valid span. */
export function traceCarrierOf(ctx: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  if (trace.getSpanContext(ctx) !== undefined) w3c.inject(ctx, carrier, setter);
  return carrier;
}

/**
 * The context an event (or a stored row) carries, as the parent of the spans it causes;
 * `parent` unchanged when it carries none or a malformed one.
 */
export function contextOf(carrier: object | null | undefined, parent: Context = ROOT_CONTEXT): Context {
  if (!carrier || typeof (carrier as TraceCarrier).traceparent !== 'string') return parent;
  return w3c.extract(parent, carrier as TraceCarrier, getter);
}

/**
 * The event with the trace context of `ctx` (default: the active one) as its `traceparent`
 * (and `tracestate`), for events about to be signed. An event that has a `traceparent`
 * already keeps it; without a valid span in `ctx`, the event itself is returned.
 */
export function withTraceContext<E extends object>(event: E, ctx: Context = context.active()): E {
  if (typeof (event as TraceCarrier).traceparent === 'string') return event;
  const carrier = traceCarrierOf(ctx);
  return carrier.traceparent === undefined ? event : { ...event, ...carrier };
}

/** `trace_id` and `span_id` of the active span, for a log line; empty outside any span. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  if (!trace.isSpanContextValid(span.spanContext())) return {};
  return { trace_id: traceId, span_id: spanId };
}

/**
 * Runs `fn` in a new active span (child of `parent`, default the active context), ending it
 * when `fn` settles; an error is recorded on the span and rethrown.
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Record<string, string | number | boolean>; links?: Link[]; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const { parent, ...spanOptions } = options;
  return tracer().startActiveSpan(name, spanOptions, parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
