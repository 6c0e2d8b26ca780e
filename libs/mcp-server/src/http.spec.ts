// Streamable HTTP without Kafka: sessions per client, the bearer token, and the Host check on loopback.
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { RunningHttp, startHttp } from './http';
import { GovernedAgent, Governor } from './tools';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const never = () => new Promise<never>(() => undefined);
const agent = { propose: never, resolution: never, requestHuman: never } as unknown as GovernedAgent;
const governor = new Governor(agent, { defaultMs: 0, maxMs: 0, progressEveryMs: 1_000 }, silent);

/** A raw POST with the headers given (the client transport always sends a correct Host). */
function post(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    );
  });
}

describe('the Streamable HTTP transport', () => {
  const running: RunningHttp[] = [];
  const clients: Client[] = [];
  afterAll(async () => {
    for (const client of clients) await client.close();
    for (const http of running) await http.close();
  });

  const connect = async (url: string, token?: string) => {
    const client = new Client({ name: 'spec', version: '1' });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}));
    return client;
  };

  it('gives each client a session of its own on one agent, and answers pending at once with a zero wait', async () => {
    const http = await startHttp(governor, { port: 0, host: '127.0.0.1' }, silent);
    running.push(http);
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const [a, b] = [await connect(http.url), await connect(http.url)];
    const result = await a.callTool({ name: 'get_handback', arguments: { handoff_id: '0b5d1f0e-2c3a-4c8b-8e7d-9f1a2b3c4d5e' } });
    expect(result.isError).toBe(true);
    expect((await b.listTools()).tools).toHaveLength(4);
  });

  it('refuses a Host header that is not loopback (DNS rebinding), and a client without the token when one is set', async () => {
    const open = await startHttp(governor, { port: 0, host: '127.0.0.1' }, silent);
    running.push(open);
    expect(await post(open.url, { host: 'evil.example:80' })).toBe(403);
    const guarded = await startHttp(governor, { port: 0, host: '127.0.0.1', token: 'a-long-secret-token' }, silent);
    running.push(guarded);
    expect(await post(guarded.url, {})).toBe(401);
    expect(await post(guarded.url, { authorization: 'Bearer wrong' })).toBe(401);
    const client = await connect(guarded.url, 'a-long-secret-token');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('request_approval');
  });
});
