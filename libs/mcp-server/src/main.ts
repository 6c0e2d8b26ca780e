// hitl-mcp: the agent's local companion. Runs one HitlAgent (the agent's identity and keys, from
// the environment) and serves the tools over stdio (default) or Streamable HTTP (`--http <port>`).
import { HitlAgent } from '@hitl/agent-sdk';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, ServerConfig, configFromProcess, describeConfig } from './config';
import { startHttp } from './http';
import { stderrLogger } from './logger';
import { Governor } from './tools';

/** Starts the server; `configure` is where the configuration comes from (default: this process's environment and arguments). */
export async function run(configure: () => ServerConfig = configFromProcess): Promise<void> {
  let config: ServerConfig;
  try {
    config = configure();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`hitl-mcp: ${error.message}\n(see the README of @hitl/mcp-server for the variables)\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  const logger = stderrLogger(config.logLevel);
  const agent = new HitlAgent({ ...config.agent, logger });
  logger.info(describeConfig(config), 'starting');
  await agent.start();
  const governor = new Governor(agent, config.waits, logger);

  let closeTransport: () => Promise<void>;
  if (config.http) {
    const http = await startHttp(governor, config.http, logger);
    closeTransport = http.close;
  } else {
    const server = governor.server();
    const transport = new StdioServerTransport();
    await server.connect(transport);
    closeTransport = () => server.close();
    // The client closed our stdin: it is done with us.
    process.stdin.once('end', () => void shutdown('stdin closed'));
    logger.info({}, 'MCP server ready on stdio');
  }

  let stopping: Promise<void> | undefined;
  const shutdown = (why: string) =>
    (stopping ??= (async () => {
      logger.info({ why }, 'stopping');
      await closeTransport().catch(() => undefined);
      // Decisions still pending stay in the pending store (a journal keeps them across a restart).
      await agent.stop().catch((error: Error) => logger.warn({ error: error.message }, 'agent did not stop cleanly'));
      process.exit(0);
    })());
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

if (require.main === module) {
  run().catch((error: Error) => {
    process.stderr.write(`hitl-mcp: ${error.message}\n`);
    process.exit(1);
  });
}
