import { AddressInfo } from 'node:net';
import { ConfigError, createLogger, loadConfig } from '@hitl/service-kit';
import { consoleConfig } from './config';
import { createConsoleApp } from './console-app';

/** Boots the console server; a bad variable ends it with code 1, naming the variable. */
async function main(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const bootLogger = createLogger({ service: 'console', level: 'info' });
  try {
    const config = loadConfig(consoleConfig, env);
    const logger = createLogger({ service: 'console', level: config.LOG_LEVEL });
    const app = await createConsoleApp(config, logger);
    app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
    const { port } = app.getHttpServer().address() as AddressInfo;
    const url = `http://${config.HTTP_HOST}:${port}`;
    logger.info({ url }, `console listening on ${url}`);
  } catch (error) {
    const fields = error instanceof ConfigError ? { problems: error.problems } : { err: error };
    bootLogger.fatal(fields, `console failed to start: ${(error as Error).message}`);
    process.exit(1);
  }
}

void main(process.env);
