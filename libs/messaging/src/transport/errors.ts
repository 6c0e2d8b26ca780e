import { RpcException } from '@nestjs/microservices';

interface UnprocessableShape {
  unprocessable: true;
  code: string;
  message: string;
}

/**
 * Thrown by a handler for a message that can never be handled (it breaks a business
 * rule, not an infrastructure hiccup): the message goes to the DLQ with this reason and
 * the consumer carries on. Any other error is treated as transient and retried.
 * It is an RpcException so that Nest's exception filter passes its reason through.
 */
export class UnprocessableMessageError extends RpcException {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super({ unprocessable: true, code, message } satisfies UnprocessableShape);
    this.name = 'UnprocessableMessageError';
  }
}

/** The reason to dead-letter, when `error` says the message can never be handled. */
export function unprocessableReason(error: unknown): { code: string; message: string } | undefined {
  if (error instanceof UnprocessableMessageError) return { code: error.code, message: error.message };
  const shape = error as Partial<UnprocessableShape> | null;
  if (shape && typeof shape === 'object' && shape.unprocessable === true) {
    return { code: String(shape.code), message: String(shape.message) };
  }
  return undefined;
}

/**
 * Thrown by a handler whose message cannot be handled yet but will be (something it needs
 * may still arrive): the chunk is retried with backoff, like a transient failure, and never
 * dead-lettered for it. The handler bounds the wait itself.
 */
export class RetryLaterError extends Error {
  readonly retryLater = true;

  constructor(message: string) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** Whether `error` asks for a retry later (the shape too: a filter may have copied it). */
export function isRetryLater(error: unknown): boolean {
  return error instanceof RetryLaterError || (typeof error === 'object' && error !== null && (error as { retryLater?: unknown }).retryLater === true);
}
