import { IncomingMessage, ServerResponse } from 'node:http';
import { Tracing, TracingOptions, contextOf, startTracing, tracer } from '@hitl/tracing';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { TracingConfig } from '../config/config';
import { QUIET_PATHS, censorUrl } from '../logging/logger';

/** The SDK options of a service's tracing config: off unless an OTLP endpoint is set. */
export function tracingOptions(serviceName: string, config: Partial<TracingConfig>): TracingOptions {
  const endpoint = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    ? { traces: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT }
    : config.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { base: config.OTEL_EXPORTER_OTLP_ENDPOINT }
      : undefined;
  return { serviceName: config.OTEL_SERVICE_NAME ?? serviceName, endpoint, disabled: config.OTEL_SDK_DISABLED ?? false };
}

let running: Tracing | null = null;

/** Starts the process's SDK from the service's config (once; before the app is built). Whether tracing is on. */
export function startServiceTracing(serviceName: string, config: Partial<TracingConfig>): boolean {
  running ??= startTracing(tracingOptions(serviceName, config));
  return running !== null;
}

/** Flushes and stops what startServiceTracing started; the app calls it when it shuts down. */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    const stopping = running;
    running = null;
    await stopping?.shutdown();
  }
}

type Request = IncomingMessage & { baseUrl?: string; route?: { path?: unknown } };

/**
 * An Express middleware: each HTTP request (but probes' polls) in a SERVER span, a child of
 * the request's `traceparent` header when it has one; active while the request is handled.
 * Named by its route once routed (`POST /approvals/:id/approve`), never by its raw URL.
 */
export function httpTracing(req: Request, res: ServerResponse, next: () => void): void {
  const path = (req.url ?? '').split('?')[0];
  if (QUIET_PATHS.has(path)) return next();
  const method = req.method ?? 'GET';
  const parent = contextOf({ traceparent: header(req, 'traceparent'), tracestate: header(req, 'tracestate') }, context.active());
  const span = tracer().startSpan(method, { kind: SpanKind.SERVER }, parent);
  if (span.isRecording()) span.setAttributes({ 'http.request.method': method, 'url.path': censorUrl(path) });
  res.once('close', () => {
    if (span.isRecording()) {
      const route = typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : undefined;
      if (route) span.updateName(`${method} ${route}`).setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}
