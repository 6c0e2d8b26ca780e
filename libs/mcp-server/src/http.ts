// Streamable HTTP: one MCP session per client (its own transport and McpServer), all on the
// process's one agent. POST/GET/DELETE /mcp as the MCP spec says. Bound to loopback by default,
// where the Host header must name it too (no DNS rebinding); elsewhere only with a bearer token.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentLogger } from '@hitl/agent-sdk';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Governor } from './tools';

export interface HttpOptions {
  port: number;
  host: string;
  /** Bearer token clients must send; none: loopback only. */
  token?: string;
}

export interface RunningHttp {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function reject(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startHttp(governor: Governor, options: HttpOptions, logger: AgentLogger): Promise<RunningHttp> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const loopback = LOOPBACK.has(options.host);
  let allowedHosts = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/mcp') return reject(res, 404, 'not found: the MCP endpoint is /mcp');
    if (loopback && !allowedHosts.has(req.headers.host ?? '')) return reject(res, 403, 'forbidden: unexpected Host header');
    if (options.token && !tokenMatches(req.headers.authorization, options.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return reject(res, 401, 'unauthorized: send the bearer token of HITL_MCP_HTTP_TOKEN_FILE');
    }
    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (req.method === 'POST') {
      let body: unknown;
      try {
        body = await readJson(req);
      } catch (error) {
        return reject(res, 400, `bad request: ${(error as Error).message}`);
      }
      if (existing) return existing.handleRequest(req, res, body);
      if (sessionId !== undefined) return reject(res, 404, 'session not found: initialize a new one');
      if (!isInitializeRequest(body)) return reject(res, 400, 'bad request: no session; start with an initialize request');
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, transport);
          logger.info({ sessionId: id }, 'MCP session opened');
        },
      });
      transport.onclose = () => {
        if (transport.sessionId && sessions.delete(transport.sessionId)) logger.info({ sessionId: transport.sessionId }, 'MCP session closed');
      };
      await governor.server().connect(transport);
      return transport.handleRequest(req, res, body);
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (!existing) return reject(res, sessionId === undefined ? 400 : 404, 'no such session');
      return existing.handleRequest(req, res);
    }
    res.setHeader('allow', 'GET, POST, DELETE');
    return reject(res, 405, 'method not allowed');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      logger.error({ error: error.message }, 'MCP HTTP request failed');
      reject(res, 500, 'internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}/mcp`;
  logger.info({ url, token: options.token ? 'required' : 'none' }, 'MCP server listening (Streamable HTTP)');
  return {
    url,
    async close() {
      for (const transport of sessions.values()) await transport.close().catch(() => undefined);
      sessions.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
