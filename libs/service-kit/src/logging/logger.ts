import { traceLogFields } from '@hitl/tracing';
import { Params } from 'nestjs-pino';
import pino, { DestinationStream, Level, LevelWithSilent, Logger } from 'pino';

/** Request fields that carry credentials; never written to the logs. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers["proxy-authorization"]', 'req.headers.cookie'];

/** Paths that are credentials themselves (the signed one-click links of notifications): logged without the secret part. */
const SECRET_PATHS = /^(\/links\/)[^/?#]+/;

export function censorUrl(url: string): string {
  return url.replace(SECRET_PATHS, '$1[redacted]');
}

/** A serialized request as logged: on a secret path, the URL censored and the route parameters (which hold the secret too) left out. */
export function censorRequest<R extends { url?: string; params?: unknown }>(req: R): R {
  if (!SECRET_PATHS.test(req.url ?? '')) return req;
  return { ...req, url: censorUrl(req.url ?? ''), params: '[redacted]' };
}

/** Probes poll these; logging (or tracing) every poll would drown the rest. */
export const QUIET_PATHS: ReadonlySet<string> = new Set(['/healthz', '/metrics']);

/**
 * The service's root logger: one JSON object per line, level by name, ISO time.
 * It is also the messaging lib's `MessagingLogger`. Writes are synchronous so the last
 * lines (a fatal boot error, the shutdown) are not lost when the process ends by signal.
 * A line written while a span is active carries its `trace_id` and `span_id`.
 */
export function createLogger(options: { service: string; level: LevelWithSilent }, destination?: DestinationStream): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label as Level }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: traceLogFields,
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** nestjs-pino settings: HTTP requests logged through the service's logger. */
export function loggerParams(logger: Logger): Params {
  return {
    pinoHttp: {
      logger,
      autoLogging: { ignore: (req) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) },
      serializers: { req: censorRequest },
    },
  };
}
