import { ArgumentsHost, Catch, HttpException, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { PassThroughRpcErrors } from '@hitl/messaging';

/**
 * Every refusal carries a machine-readable `code` beside its message, including the ones
 * raised before a route runs (unknown route, a body that is not JSON or too large, a path
 * that cannot be decoded). Our own errors already name theirs and pass through unchanged;
 * anything that is not an HTTP error is left to Nest (a 500, logged).
 *
 * Registered on the app, it is also the Kafka handlers' filter (they share the app's
 * config): there it hands every error to the transport as thrown, which tells a transient
 * failure from a permanent one by the error itself (PassThroughRpcErrors).
 */
@Catch()
export class ErrorCodeFilter extends BaseExceptionFilter {
  private readonly rpc = new PassThroughRpcErrors();

  override catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType() !== 'http') return this.rpc.catch(exception, host);
    const http = asHttpException(exception);
    if (!http) return super.catch(exception, host);
    const status = http.getStatus();
    const body = http.getResponse();
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : { message: body };
    if (typeof fields.code === 'string') return super.catch(http, host);
    const message = typeof fields.message === 'string' ? fields.message : Array.isArray(fields.message) ? fields.message.join('; ') : http.message;
    // The body's own fields stay (a health check's report, say); the code and a message join them.
    super.catch(new HttpException({ statusCode: status, ...fields, code: codeOf(status, exception), message }, status), host);
  }
}

/** body-parser and Express raise plain errors with a status; they are refusals too. */
function asHttpException(exception: unknown): HttpException | null {
  if (exception instanceof HttpException) return exception;
  if (!(exception instanceof Error)) return null;
  const status = (exception as { status?: unknown; statusCode?: unknown }).status ?? (exception as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  return new HttpException({ statusCode: status, message: exception.message }, status, { cause: exception });
}

const BODY_PARSER_CODES: Readonly<Record<string, string>> = {
  'entity.parse.failed': 'invalid_json',
  'entity.too.large': 'payload_too_large',
  'charset.unsupported': 'unsupported_media_type',
  'encoding.unsupported': 'unsupported_media_type',
  'request.aborted': 'request_aborted',
  'request.size.invalid': 'invalid_request',
};

const STATUS_CODES: Readonly<Record<number, string>> = {
  [HttpStatus.BAD_REQUEST]: 'invalid_request',
  [HttpStatus.UNAUTHORIZED]: 'unauthorized',
  [HttpStatus.FORBIDDEN]: 'forbidden',
  [HttpStatus.NOT_FOUND]: 'not_found',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'method_not_allowed',
  [HttpStatus.CONFLICT]: 'conflict',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'payload_too_large',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'unsupported_media_type',
  [HttpStatus.TOO_MANY_REQUESTS]: 'too_many_requests',
};

/** The code of a refusal that did not name one: by what raised it, then by its status. */
export function codeOf(status: number, exception: unknown): string {
  const cause = exception instanceof HttpException ? exception.cause : exception;
  const type = typeof cause === 'object' && cause !== null ? (cause as { type?: unknown }).type : undefined;
  if (typeof type === 'string' && BODY_PARSER_CODES[type]) return BODY_PARSER_CODES[type];
  const message = exception instanceof Error ? exception.message : '';
  if (status === HttpStatus.BAD_REQUEST && message.startsWith('Failed to decode param')) return 'invalid_path';
  return STATUS_CODES[status] ?? `http_${status}`;
}
