import { classifyFailure } from './failures';
import { RetryLaterError, UnprocessableMessageError } from './errors';

/** An error shaped as pg (and TypeORM's QueryFailedError, which copies the fields) throw it. */
function pgError(code: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyFailure', () => {
  it.each([
    ['a handler refusal', new UnprocessableMessageError('poison', 'never'), 'permanent', 'poison'],
    ['a handler waiting for something that may still come', new RetryLaterError('the proposal is not recorded yet'), 'transient', 'retry_later'],
    ['U+0000 in jsonb (22P05)', pgError('22P05', 'unsupported Unicode escape sequence'), 'permanent', 'database_refused'],
    ['a number out of range (22003)', pgError('22003', 'integer out of range'), 'permanent', 'database_refused'],
    ['a NOT NULL violation (23502)', pgError('23502'), 'permanent', 'database_refused'],
    ['an index row too large (54000)', pgError('54000'), 'permanent', 'database_refused'],
    ['a stack depth exceeded (54001)', pgError('54001'), 'permanent', 'database_refused'],
    ['a unique violation (23505), usually a race', pgError('23505'), 'unclassified', 'handler_failed'],
    ['a statement timeout (57014)', pgError('57014'), 'unclassified', 'handler_failed'],
    ['a serialization failure (40001)', pgError('40001'), 'transient', 'database_unavailable'],
    ['a deadlock (40P01)', pgError('40P01'), 'transient', 'database_unavailable'],
    ['an administrator shutdown (57P01)', pgError('57P01', 'terminating connection due to administrator command'), 'transient', 'database_unavailable'],
    ['the server starting up (57P03)', pgError('57P03'), 'transient', 'database_unavailable'],
    ['a connection failure (08006)', pgError('08006'), 'transient', 'database_unavailable'],
    ['a login refused (28000)', pgError('28000', 'role "router" is not permitted to log in'), 'transient', 'database_unavailable'],
    ['too many connections (53300)', pgError('53300'), 'transient', 'database_unavailable'],
    ['a missing table (42P01): the deployment, not the message', pgError('42P01'), 'transient', 'database_unavailable'],
    ['a lock not available (55P03)', pgError('55P03'), 'transient', 'database_unavailable'],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 'transient', 'network'],
    ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'transient', 'network'],
    ['pg: connection terminated', new Error('Connection terminated unexpectedly'), 'transient', 'database_unavailable'],
    ['pg-pool: connect timeout', new Error('timeout exceeded when trying to connect'), 'transient', 'database_unavailable'],
    ['a broker error', Object.assign(new Error('The group is rebalancing'), { name: 'KafkaJSProtocolError' }), 'transient', 'broker_unavailable'],
    ['a TypeError in a handler', new TypeError("Cannot read properties of undefined (reading 'x')"), 'unclassified', 'handler_failed'],
    ['a stack overflow on a deep message', new RangeError('Maximum call stack size exceeded'), 'unclassified', 'handler_failed'],
    ['something thrown that is no error', 'a string', 'unclassified', 'handler_failed'],
    ['an unknown SQLSTATE class', pgError('P0001', 'raised by a trigger'), 'unclassified', 'handler_failed'],
  ])('%s', (_name, error, kind, code) => {
    const failure = classifyFailure(error);
    expect({ kind: failure.kind, code: failure.code }).toEqual({ kind, code });
    expect(failure.message.length).toBeGreaterThan(0);
  });

  it("keeps the database's words and names the SQLSTATE", () => {
    expect(classifyFailure(pgError('22P05', 'unsupported Unicode escape sequence')).message).toBe(
      'PostgreSQL refused it (SQLSTATE 22P05, data exception): unsupported Unicode escape sequence',
    );
  });

  it("reads the SQLSTATE of a wrapped driver error, and a cause's class", () => {
    expect(classifyFailure({ message: 'query failed', driverError: { code: '22021' } }).kind).toBe('permanent');
    expect(classifyFailure(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })).kind).toBe('transient');
  });
});
