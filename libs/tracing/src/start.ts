// The OpenTelemetry SDK of a hitl process: off unless an OTLP endpoint is configured (or a
// test hands its own span processor in), started before the service so every span is kept.
import { diag } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { SpanProcessor } from '@opentelemetry/sdk-trace';

export interface TracingOptions {
  /** The resource's `service.name` (OTEL_SERVICE_NAME, default the service's name). */
  serviceName: string;
  /**
   * Where spans go, OTLP over HTTP: the traces URL itself (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
   * e.g. http://collector:4318/v1/traces), or a base URL to which `/v1/traces` is appended
   * (OTEL_EXPORTER_OTLP_ENDPOINT).
   */
  endpoint?: { traces: string } | { base: string };
  /** Instead of the OTLP exporter (tests: a SimpleSpanProcessor over an InMemorySpanExporter). */
  spanProcessors?: SpanProcessor[];
  /** OTEL_SDK_DISABLED: nothing is started even if an endpoint is set. */
  disabled?: boolean;
  /** Detect host, process and OTEL_RESOURCE_ATTRIBUTES resource attributes (default true). */
  detectResources?: boolean;
}

/** A started SDK: `shutdown` flushes what is buffered (call it when the process stops). */
export interface Tracing {
  shutdown(): Promise<void>;
}

/** The OTLP traces URL of an endpoint setting. */
export function otlpTracesUrl(endpoint: NonNullable<TracingOptions['endpoint']>): string {
  return 'traces' in endpoint ? endpoint.traces : `${endpoint.base.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts the SDK (tracer provider, AsyncLocalStorage context manager, W3C propagator) and
 * registers it globally; null when tracing is off (no endpoint nor processors, or disabled):
 * then every span is the API's no-op and costs next to nothing.
 */
export function startTracing(options: TracingOptions): Tracing | null {
  if (options.disabled) return null;
  const spans = options.spanProcessors?.length
    ? { spanProcessors: options.spanProcessors }
    : options.endpoint
      ? // Batched as the SDK does from the standard variables (OTEL_BSP_SCHEDULE_DELAY, ...).
        { traceExporter: new OTLPTraceExporter({ url: otlpTracesUrl(options.endpoint) }) }
      : null;
  if (!spans) return null;
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    ...spans,
    autoDetectResources: options.detectResources ?? true,
    // Traces only: no metrics (Prometheus has them) nor logs (stdout has them) through the SDK.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    shutdown: () =>
      (stopped ??= sdk.shutdown().catch((error: Error) => {
        diag.warn(`tracing: shutdown failed: ${error.message}`);
      })),
  };
}
