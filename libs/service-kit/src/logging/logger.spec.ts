import { Writable } from 'node:stream';
import { startTracing, tracer } from '@hitl/tracing';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { censorRequest, censorUrl, createLogger } from './logger';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
  };
}

describe('createLogger', () => {
  it('writes one JSON object per line with the service, level name and ISO time', () => {
    const out = capture();
    createLogger({ service: 'router', level: 'info' }, out.stream).info({ topic: 'decision.proposed' }, 'consuming');
    expect(out.lines()).toEqual([
      expect.objectContaining({
        service: 'router',
        level: 'info',
        msg: 'consuming',
        topic: 'decision.proposed',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    ]);
  });

  it('redacts credentials in request headers', () => {
    const out = capture();
    const req = { method: 'GET', url: '/approvals', headers: { authorization: 'Bearer abc.def', cookie: 'sid=1', accept: 'application/json' } };
    createLogger({ service: 'router', level: 'info' }, out.stream).info({ req }, 'request completed');
    const [line] = out.lines();
    expect(line.req).toEqual({ method: 'GET', url: '/approvals', headers: { authorization: '[redacted]', cookie: '[redacted]', accept: 'application/json' } });
  });
});

describe('createLogger with tracing', () => {
  const tracing = startTracing({
    serviceName: 'router',
    spanProcessors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })],
    detectResources: false,
  });
  afterAll(() => tracing?.shutdown());

  it('writes trace_id and span_id on every line written while a span is active, through awaits', async () => {
    const out = capture();
    const logger = createLogger({ service: 'router', level: 'info' }, out.stream);
    logger.info('before');
    const ids = await tracer().startActiveSpan('decision.proposed process', async (span) => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.child({ component: 'kafka-transport' }).info({ topic: 'decision.proposed' }, 'inside');
      span.end();
      return span.spanContext();
    });
    logger.info('after');
    const [before, inside, after] = out.lines();
    expect(before).not.toHaveProperty('trace_id');
    expect(inside).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
    expect(inside.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(after).not.toHaveProperty('trace_id');
  });
});

describe('censorUrl', () => {
  it.each([
    ['/links/eyJhcHByb3ZhbF9pZCI6.c2lnbmF0dXJl', '/links/[redacted]'],
    ['/links/abc?x=1', '/links/[redacted]?x=1'],
    ['/approvals/123', '/approvals/123'],
    ['/queues', '/queues'],
    ['/other/links/abc', '/other/links/abc'],
  ])('%s is logged as %s', (url, logged) => {
    expect(censorUrl(url)).toBe(logged);
  });
});

describe('censorRequest', () => {
  it('leaves out the URL and route parameters of a secret path', () => {
    expect(censorRequest({ method: 'GET', url: '/links/abc.def', params: { path: ['links', 'abc.def'] } })).toEqual({
      method: 'GET',
      url: '/links/[redacted]',
      params: '[redacted]',
    });
  });

  it('leaves other requests as they are', () => {
    const req = { method: 'GET', url: '/approvals/1', params: { id: '1' } };
    expect(censorRequest(req)).toBe(req);
  });
});
