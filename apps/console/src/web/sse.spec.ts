import { parseSse } from './sse';

describe('reading Server-Sent Events from a fetch body', () => {
  it.each([
    ['one event', 'event: approval\ndata: {"a":1}\n\n', [{ event: 'approval', data: '{"a":1}' }], ''],
    ['a comment and an event', ': heartbeat\n\nevent: ready\ndata: {}\n\n', [{ event: 'ready', data: '{}' }], ''],
    ['an unfinished event waits', 'event: approval\ndata: {"a"', [], 'event: approval\ndata: {"a"'],
    ['no event name is a message', 'data: x\n\n', [{ event: 'message', data: 'x' }], ''],
    ['CRLF line ends', 'event: a\r\ndata: 1\r\n\r\n', [{ event: 'a', data: '1' }], ''],
    ['several data lines join', 'data: 1\ndata: 2\n\n', [{ event: 'message', data: '1\n2' }], ''],
  ])('%s', (_case, text, events, rest) => {
    expect(parseSse(text)).toEqual({ events, rest });
  });
});
