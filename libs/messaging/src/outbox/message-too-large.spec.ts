// Which publish failures mean "this message can never go to its topic" (set aside), and which
// the relay retries.
import { messageTooLarge } from './outbox-relay';

const protocolError = (type: string, retriable = false) => Object.assign(new Error(`error of type ${type}`), { name: 'KafkaJSProtocolError', type, retriable });

describe('messageTooLarge', () => {
  it.each<[string, unknown, boolean]>([
    ['kafkajs: MESSAGE_TOO_LARGE', protocolError('MESSAGE_TOO_LARGE'), true],
    ['kafkajs: RECORD_LIST_TOO_LARGE', protocolError('RECORD_LIST_TOO_LARGE'), true],
    ['wrapped by a retrier', Object.assign(new Error('no more retries'), { originalError: protocolError('MESSAGE_TOO_LARGE') }), true],
    ['as a cause', new Error('publish failed', { cause: protocolError('RECORD_LIST_TOO_LARGE') }), true],
    ['said in the message', new Error('The request included a message larger than the max message size the server will accept.'), true],
    ['a broker that is away', protocolError('LEADER_NOT_AVAILABLE', true), false],
    ['a refusal of the principal', protocolError('TOPIC_AUTHORIZATION_FAILED'), false],
    ['a connection error', new Error('Connection timeout'), false],
    ['not an error', undefined, false],
  ])('%s', (_name, error, expected) => {
    expect(messageTooLarge(error)).toBe(expected);
  });
});
