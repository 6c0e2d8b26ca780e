// Why handling a message failed, and so what the transport does next. A permanent failure
// is the message's own (the contract, a handler or PostgreSQL refused its content): retrying
// cannot help, so it is dead-lettered alone. A transient one is the world's (a connection,
// a timeout, a lock, a broker): it is retried, as long as it takes, and nothing is lost.
// Anything else is unclassified: retried a bounded number of times, then dead-lettered.
import { isRetryLater, unprocessableReason } from './errors';

export type FailureKind = 'permanent' | 'transient' | 'unclassified';

export interface Failure {
  kind: FailureKind;
  /** The DLQ code, should the message be dead-lettered for it. */
  code: string;
  /** In plain words, with the database's own where it spoke. */
  message: string;
}

/**
 * SQLSTATE classes (the first two characters) and what they mean for the message:
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const PERMANENT_CLASSES: Record<string, string> = {
  '22': 'data exception',
  '23': 'integrity constraint violation',
  '54': 'program limit exceeded',
};
const TRANSIENT_CLASSES: Record<string, string> = {
  '08': 'connection exception',
  '28': 'invalid authorization (the service may not log in now)',
  '40': 'transaction rollback (serialization failure or deadlock)',
  '53': 'insufficient resources',
  '55': 'object not in prerequisite state (a lock not available)',
  '57': 'operator intervention (shutdown, cancel, timeout)',
  '58': 'system error',
  // The service's own schema or grants are wrong: every message would fail alike, so
  // dead-lettering the stream would be the wrong cure. Retried (and logged) until fixed.
  '42': 'syntax error or access rule violation',
  F0: 'configuration file error',
  XX: 'internal error',
};

/**
 * Codes of those classes that can go either way, so retried a bounded number of times:
 * a unique violation is usually a race a retry resolves (it then takes the de-duplication
 * path), a statement timeout usually load, but either can also be the message's own.
 */
const UNCLASSIFIED_STATES: Record<string, string> = {
  '23505': 'unique violation',
  '57014': 'query canceled (statement timeout)',
};

/** Errors of Node's sockets and DNS: the network, never the message. */
const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

/** What pg and TypeORM say, without an SQLSTATE, when the server went away or never answered. */
const TRANSIENT_WORDING = [
  /connection terminated/i,
  /connection (is )?(closed|lost|ended)/i,
  /timeout exceeded when trying to connect/i,
  /query read timeout/i,
  /not queryable/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /Connection is not established/i,
  /socket hang up/i,
];

interface ErrorShape {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  retriable?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

function sqlState(error: ErrorShape): string | null {
  const code = typeof error.code === 'string' ? error.code : null;
  return code && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** What a failure of handling a message means for it (see the header). Pure; never throws. */
export function classifyFailure(error: unknown): Failure {
  const refusal = unprocessableReason(error);
  if (refusal) return { kind: 'permanent', code: refusal.code, message: refusal.message };
  if (isRetryLater(error)) return { kind: 'transient', code: 'retry_later', message: (error as Error).message };
  if (error === null || typeof error !== 'object') return { kind: 'unclassified', code: 'handler_failed', message: String(error) };
  const shape = error as ErrorShape & { status?: unknown };
  if (shape.status === 'error' && !(error instanceof Error)) {
    // Nest's default exception filter replaced the error with its own words.
    return {
      kind: 'unclassified',
      code: 'handler_failed',
      message: `${String(shape.message)} (the cause is hidden: register PassThroughRpcErrors on the app)`,
    };
  }
  const message = typeof shape.message === 'string' ? shape.message : String(error);

  const state = sqlState(shape) ?? (shape.driverError && typeof shape.driverError === 'object' ? sqlState(shape.driverError as ErrorShape) : null);
  if (state) {
    const family = state.slice(0, 2);
    const exception = UNCLASSIFIED_STATES[state];
    if (exception) return { kind: 'unclassified', code: 'handler_failed', message: `PostgreSQL refused it (SQLSTATE ${state}, ${exception}): ${message}` };
    const words = `PostgreSQL refused it (SQLSTATE ${state}, ${PERMANENT_CLASSES[family] ?? TRANSIENT_CLASSES[family] ?? 'unknown class'}): ${message}`;
    if (family in PERMANENT_CLASSES) return { kind: 'permanent', code: 'database_refused', message: words };
    if (family in TRANSIENT_CLASSES) return { kind: 'transient', code: 'database_unavailable', message: words };
    return { kind: 'unclassified', code: 'handler_failed', message: words };
  }
  if (typeof shape.code === 'string' && TRANSIENT_SYSTEM_CODES.has(shape.code)) return { kind: 'transient', code: 'network', message };
  if (TRANSIENT_WORDING.some((pattern) => pattern.test(message))) return { kind: 'transient', code: 'database_unavailable', message };
  // kafkajs marks what its own retries could fix; a handler that talks to Kafka fails like this.
  if (typeof shape.name === 'string' && shape.name.startsWith('KafkaJS')) return { kind: 'transient', code: 'broker_unavailable', message };
  if (shape.cause && shape.cause !== error) {
    const cause = classifyFailure(shape.cause);
    if (cause.kind !== 'unclassified') return cause;
  }
  return { kind: 'unclassified', code: 'handler_failed', message: `${typeof shape.name === 'string' ? `${shape.name}: ` : ''}${message}` };
}
