import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { loggerParams } from '@hitl/service-kit';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import { Logger } from 'pino';
import { ConsoleConfig, upstreams } from './config';
import { ConsoleModule } from './console.module';
import { PAGE_HEADERS, isPagePath } from './web-app';

interface Req {
  method: string;
  path: string;
}
interface Res {
  setHeader(name: string, value: string): void;
  sendFile(path: string): void;
  status(code: number): Res;
  json(body: unknown): void;
}

/**
 * The console server: the built web app, the services' APIs under /api/<service>/ passed
 * through as they are (Authorization included, responses streamed, so the live stream's
 * events arrive as they are written), and /healthz. It holds no state and no token.
 */
export async function createConsoleApp(config: ConsoleConfig, logger: Logger): Promise<NestExpressApplication> {
  const params = loggerParams(logger);
  // No body parser: request bodies go to the services untouched.
  const app = await NestFactory.create<NestExpressApplication>(ConsoleModule.forRoot(config), {
    bodyParser: false,
    logger: new NestPinoLogger(new PinoLogger(params), params),
    abortOnError: false,
  });
  // Requests whose service went silent past CONSOLE_UPSTREAM_IDLE_SECONDS: answered 504, not 502.
  const silent = new WeakSet<object>();
  for (const { name, mount, target } of upstreams(config)) {
    app.use(
      mount,
      createProxyMiddleware({
        target,
        changeOrigin: true,
        xfwd: true,
        // A service that cannot be reached is the console's 502, one that goes silent its 504,
        // both named; never a hang. The timeout is of silence (the socket's idle time).
        proxyTimeout: config.CONSOLE_UPSTREAM_IDLE_SECONDS * 1000,
        on: {
          // http-proxy ends the upstream request only on 'aborted', which Node no longer emits once a
          // request's body was read: a closed live stream stayed open at the service, and counted
          // against the reviewer's streams. Ending it when the browser's side closes.
          proxyReq: (proxyReq, req, res) => {
            res.on('close', () => {
              if (!res.writableFinished) proxyReq.destroy();
            });
            proxyReq.on('timeout', () => silent.add(req));
          },
          error: (error, req, res) => {
            const timedOut = silent.delete(req);
            logger.warn({ err: error, upstream: name, timedOut }, timedOut ? 'proxy: the service went silent' : 'proxy: the service did not answer');
            const response = res as unknown as {
              headersSent?: boolean;
              writeHead?: (s: number, h: Record<string, string>) => void;
              end: (body?: string) => void;
            };
            if (response.writeHead && !response.headersSent) {
              const [status, code, message] = timedOut
                ? [504, 'upstream_timeout', `the ${name} service sent nothing for ${config.CONSOLE_UPSTREAM_IDLE_SECONDS} s`]
                : [502, 'upstream_unavailable', `the ${name} service did not answer`];
              response.writeHead(status, { 'content-type': 'application/json' });
              response.end(JSON.stringify({ statusCode: status, code, message }));
            } else response.end();
          },
        },
      }),
    );
  }
  const webRoot = resolve(config.CONSOLE_WEB_ROOT);
  const index = join(webRoot, 'index.html');
  if (!existsSync(index)) logger.warn({ webRoot }, 'the web app is not built (npm run build); only the APIs and /healthz answer');
  app.useStaticAssets(webRoot, { index: false, setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff') });
  app.use((req: Req, res: Res, next: () => void) => {
    if (!isPagePath(req.method, req.path)) return next();
    for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
    if (!existsSync(index)) return res.status(503).json({ statusCode: 503, code: 'console_not_built', message: 'the web app is not built: run npm run build' });
    res.sendFile(index);
  });
  return app;
}
