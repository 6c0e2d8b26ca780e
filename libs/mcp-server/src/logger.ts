// Logs go to stderr, one JSON line each: stdout belongs to the MCP stdio transport.
import type { AgentLogger } from '@hitl/agent-sdk';
import type { LogLevel } from './config';

const ORDER: Record<Exclude<LogLevel, 'silent'>, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function stderrLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): AgentLogger {
  const at = (name: Exclude<LogLevel, 'silent'>) => (fields: object, message?: string) => {
    if (level === 'silent' || ORDER[name] < ORDER[level]) return;
    write(`${JSON.stringify({ level: name, time: new Date().toISOString(), name: 'hitl-mcp', msg: message, ...fields })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
