// The console server alone, as a real process: the web app with its SPA fallback and
// headers, the APIs passed through (Authorization included, streams not buffered), and
// /healthz naming the services that do not answer.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@hitl/testing';

const root = resolve(__dirname, '../../..');
const INDEX = '<!doctype html><title>console test page</title><div id="root"></div>';

describe('the console server', () => {
  let server: ChildProcess;
  let output = '';
  let url = '';
  let upstream: Server;
  let release: () => void = () => undefined;
  const held: ServerResponse[] = [];
  const seen: { path: string; authorization?: string; body: string }[] = [];

  // Each request and read has its own deadline, so a hang fails at once with what the
  // server printed, not at the test's timeout with nothing to go on.
  const within = async <T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error('no answer in 15 s'));
      }, 15_000);
    });
    try {
      return await Promise.race([work(abort.signal), late]);
    } catch (error) {
      throw new Error(`${what}: ${String(error)}\nthe console server printed:\n${output}\nthe stand-in service saw: ${JSON.stringify(seen)}`);
    } finally {
      clearTimeout(timer);
    }
  };
  const call = (path: string, init: RequestInit = {}) => within(`${init.method ?? 'GET'} ${path}`, (signal) => fetch(`${url}${path}`, { ...init, signal }));

  beforeAll(async () => {
    // A service standing in for the escalation: it answers /healthz, echoes what it got, and
    // streams one event, then holds the stream open until the test releases it.
    upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
        if (req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        // Accepts and never answers: the console gives up after CONSOLE_UPSTREAM_IDLE_SECONDS.
        if (req.url === '/approvals/silent') return void held.push(res);
        // Quiet for less than the idle time between writes, longer than it in all: stays open.
        if (req.url === '/approvals/heartbeats') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          let beats = 0;
          const beat = setInterval(() => {
            res.write(': heartbeat\n\n');
            if (++beats === 6) {
              clearInterval(beat);
              res.end();
            }
          }, 400);
          return;
        }
        if (req.url === '/approvals/stream') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('event: ready\ndata: {}\n\n');
          release = () => res.end();
          return;
        }
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, method: req.method }));
      });
    });
    await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
    const web = mkdtempSync(join(tmpdir(), 'hitl-console-web-'));
    writeFileSync(join(web, 'index.html'), INDEX);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const closed = `http://127.0.0.1:${await freePort()}`;
    server = spawn(process.execPath, ['-r', '@swc-node/register', resolve(root, 'apps/console/src/server/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        HTTP_PORT: String(port),
        LOG_LEVEL: 'warn',
        CONSOLE_WEB_ROOT: web,
        ESCALATION_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
        AUDIT_URL: closed,
        CALIBRATOR_URL: closed,
        CONSOLE_UPSTREAM_IDLE_SECONDS: '1',
      },
    });
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    const deadline = Date.now() + 60_000;
    while (
      !(await fetch(`${url}/healthz`)
        .then(() => true)
        .catch(() => false))
    ) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the console server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    release();
    for (const res of held) res.end();
    if (server && server.exitCode === null) {
      const exited = new Promise((done) => server.once('exit', done));
      server.kill('SIGTERM');
      await exited;
    }
    await new Promise((done) => upstream.close(done));
  });

  it.each(['/', '/approvals/0b9f6a52-3f57-4c55-9d4e-1f1f5a1b2c3d', '/queues', '/calibration'])(
    'answers the page %s with the app and a strict policy',
    async (path) => {
      const res = await call(path);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(INDEX);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('cache-control')).toBe('no-store');
    },
  );

  it('does not answer a missing asset with the page', async () => {
    expect((await call('/assets/missing.js')).status).toBe(404);
  });

  it('passes API calls through with their Authorization and body, and the answer back', async () => {
    const res = await call('/api/escalation/approvals/batch?x=1', {
      method: 'POST',
      headers: { authorization: 'Bearer reviewer-token-0123456789', 'content-type': 'application/json' },
      body: '{"items":[]}',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ path: '/approvals/batch?x=1', method: 'POST' });
    expect(seen.find((s) => s.path === '/approvals/batch?x=1')).toEqual({
      path: '/approvals/batch?x=1',
      authorization: 'Bearer reviewer-token-0123456789',
      body: '{"items":[]}',
    });
  });

  it('streams an event as soon as the service writes it, before the stream ends', async () => {
    const res = await call('/api/escalation/approvals/stream', { headers: { authorization: 'Bearer reviewer-token-0123456789' } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const first = await within('the first event', () => reader.read());
    expect(new TextDecoder().decode(first.value)).toContain('event: ready');
    release();
    await within('the end of the stream', async () => {
      while (!(await reader.read()).done);
    });
  });

  it('answers 504 naming the service when it goes silent on a request (CONSOLE_UPSTREAM_IDLE_SECONDS)', async () => {
    const res = await call('/api/escalation/approvals/silent');
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ statusCode: 504, code: 'upstream_timeout', message: 'the escalation service sent nothing for 1 s' });
  });

  it('keeps a stream open longer than the idle time while the service writes more often than it', async () => {
    const res = await call('/api/escalation/approvals/heartbeats');
    expect(res.status).toBe(200);
    const text = await within('the whole stream', () => res.text());
    expect(text.match(/: heartbeat/g)).toHaveLength(6);
  });

  it('names a service that does not answer: 502 through the proxy, and down in /healthz', async () => {
    const res = await call('/api/audit/audit/events');
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ code: 'upstream_unavailable' });
    const health = await call('/healthz');
    expect(health.status).toBe(503);
    const body = await health.json();
    expect(JSON.stringify(body)).toContain('"escalation":{"status":"up"');
    expect(JSON.stringify(body)).toContain('"audit":{"status":"down"');
  });
});
