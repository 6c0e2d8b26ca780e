// The server's configuration: the agent's identity and keys, the brokers, the transport. The
// only place that reads the environment (and the command line); every other module is given
// what it needs. Files (keys, the SASL password, the HTTP token) are read here, at start, and
// only their paths are ever shown.
import { readFileSync } from 'node:fs';
import type { HitlAgentOptions } from '@hitl/agent-sdk';
import { z } from 'zod';

const READ_ERRORS: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' };

/** A file read at start. Serialised, it shows its path, never what it holds. */
export class FileText {
  readonly #text: string;
  constructor(
    readonly path: string,
    text: string,
  ) {
    this.#text = text;
  }
  text(): string {
    return this.#text;
  }
  toJSON(): string {
    return `(the contents of ${this.path})`;
  }
}

const nonBlank = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
    .trim()
    .min(1, { error: 'must not be blank' });

/** A path whose file is read now; the issue says why it could not be, never what it holds. */
const fileAt = (options: { trimNewline?: boolean } = {}) =>
  nonBlank().transform((path, ctx) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      ctx.addIssue({ code: 'custom', message: `cannot read ${path}: ${(code && READ_ERRORS[code]) || code || 'unreadable'}` });
      return z.NEVER;
    }
    if (options.trimNewline) text = text.replace(/[\r\n]+$/, '');
    if (text.trim() === '') {
      ctx.addIssue({ code: 'custom', message: `${path} is empty` });
      return z.NEVER;
    }
    return new FileText(path, text);
  });

const trueOrFalse = (defaultValue: boolean) =>
  z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((value) => value === 'true')
    .default(defaultValue);

const seconds = (defaultValue: number, max: number) => z.coerce.number({ error: 'must be a number of seconds' }).positive().max(max).default(defaultValue);

const port = z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65_535);

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/** The variables, as documented in the README. An empty variable counts as unset. */
export const serverEnvironment = z
  .object({
    /** The agent this server speaks for: `agent.id` of its proposals; its key is in the services' agent registry under this id. */
    HITL_AGENT_ID: nonBlank().regex(/^[A-Za-z0-9._-]{1,100}$/, { error: 'must be 1-100 letters, digits, dots, dashes or underscores' }),
    HITL_WORKSPACE: nonBlank(),
    /** Comma-separated host:port list. */
    HITL_KAFKA_BROKERS: nonBlank().transform((list) =>
      list
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    ),
    /** The agent's Ed25519 private key (PKCS#8 PEM or a private JWK). */
    HITL_SIGNING_KEY_FILE: fileAt(),
    /** The JWKS files of the router and of the escalation service (what their GET /keys serves). */
    HITL_ROUTER_JWKS_FILE: fileAt(),
    HITL_ESCALATION_JWKS_FILE: fileAt(),
    HITL_TOPIC_PREFIX: z.string().default(''),
    HITL_CLIENT_ID: nonBlank().optional(),
    /** A journal of the decisions waiting for an outcome: pending handles survive a restart of the server. Default: memory. */
    HITL_PENDING_STORE_FILE: nonBlank().optional(),
    /** Stable id of this replica, when several servers speak for the same agent (each its own consumer group). */
    HITL_REPLICA_ID: nonBlank().optional(),
    /** How long request_approval / request_human / get_decision wait by default before answering `pending`. */
    HITL_MCP_WAIT_SECONDS: seconds(60, 3_600),
    /** The longest wait a client may ask for (wait_seconds). */
    HITL_MCP_MAX_WAIT_SECONDS: seconds(900, 86_400),
    /** How often a progress notification is sent while waiting. */
    HITL_MCP_PROGRESS_SECONDS: seconds(5, 600),
    /** Streamable HTTP instead of stdio, on this port (0: any free port); `--http <port>` on the command line does the same. */
    HITL_MCP_HTTP_PORT: port.optional(),
    HITL_MCP_HTTP_HOST: nonBlank().default('127.0.0.1'),
    /** A file holding the bearer token HTTP clients must send; required to listen on anything but loopback. */
    HITL_MCP_HTTP_TOKEN_FILE: fileAt({ trimNewline: true }).optional(),
    HITL_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent'], { error: 'must be debug, info, warn, error or silent' }).default('info'),
    // Kafka TLS and SASL: the same variables as the services and the CLI.
    KAFKA_SSL: trueOrFalse(false),
    KAFKA_SSL_CA_FILE: fileAt().optional(),
    KAFKA_SSL_CERT_FILE: fileAt().optional(),
    KAFKA_SSL_KEY_FILE: fileAt().optional(),
    KAFKA_SSL_REJECT_UNAUTHORIZED: trueOrFalse(true),
    KAFKA_SASL_MECHANISM: z.enum(SASL_MECHANISMS, { error: `must be one of ${SASL_MECHANISMS.join(', ')}` }).optional(),
    KAFKA_SASL_USERNAME: nonBlank().optional(),
    KAFKA_SASL_PASSWORD_FILE: fileAt({ trimNewline: true }).optional(),
    KAFKA_SASL_PASSWORD: z.undefined({ error: 'is not read: put the password in a file and name it in KAFKA_SASL_PASSWORD_FILE' }).optional(),
  })
  .superRefine((c, ctx) => {
    const problem = (variable: string, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
    if (c.HITL_KAFKA_BROKERS.length === 0) problem('HITL_KAFKA_BROKERS', 'names no broker');
    if (!c.KAFKA_SSL) {
      for (const variable of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const) {
        if (c[variable]) problem(variable, 'is set but KAFKA_SSL is not true');
      }
    }
    if (Boolean(c.KAFKA_SSL_CERT_FILE) !== Boolean(c.KAFKA_SSL_KEY_FILE))
      problem('KAFKA_SSL_KEY_FILE', 'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together');
    if (c.KAFKA_SASL_MECHANISM === 'plain' && !c.KAFKA_SSL) problem('KAFKA_SASL_MECHANISM', 'plain sends the password itself: only with KAFKA_SSL=true');
    if (c.KAFKA_SASL_MECHANISM && (!c.KAFKA_SASL_USERNAME || !c.KAFKA_SASL_PASSWORD_FILE))
      problem('KAFKA_SASL_MECHANISM', 'needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE');
    if (!c.KAFKA_SASL_MECHANISM && (c.KAFKA_SASL_USERNAME || c.KAFKA_SASL_PASSWORD_FILE))
      problem('KAFKA_SASL_MECHANISM', `must be set with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE: one of ${SASL_MECHANISMS.join(', ')}`);
    if (c.HITL_MCP_MAX_WAIT_SECONDS < c.HITL_MCP_WAIT_SECONDS) problem('HITL_MCP_MAX_WAIT_SECONDS', 'must not be less than HITL_MCP_WAIT_SECONDS');
  });

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface ServerConfig {
  /** What the HitlAgent is made with (no logger: main gives it one). */
  agent: Omit<HitlAgentOptions, 'logger'>;
  waits: { defaultMs: number; maxMs: number; progressEveryMs: number };
  /** Absent: stdio. */
  http?: { port: number; host: string; token?: string };
  logLevel: LogLevel;
}

/** Bad configuration, each variable named with why (never with its value). */
export class ConfigError extends Error {
  constructor(readonly problems: ReadonlyArray<{ variable: string; reason: string }>) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.reason}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** The command line: `--http <port>` (Streamable HTTP) and `--host <host>`; anything else is refused. */
function parseArgs(argv: readonly string[]): { httpPort?: string; host?: string } {
  const out: { httpPort?: string; host?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new ConfigError([{ variable: flag, reason: 'needs a value' }]);
      return v;
    };
    if (flag === '--http') out.httpPort = value();
    else if (flag === '--host') out.host = value();
    else if (flag === '--stdio') continue;
    else throw new ConfigError([{ variable: arg, reason: 'unknown option (known: --http <port>, --host <host>, --stdio)' }]);
  }
  return out;
}

/** The configuration from an environment and the command line's arguments (after the script), or a ConfigError. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[] = []): ServerConfig {
  const args = parseArgs(argv);
  const known = new Set(Object.keys(serverEnvironment.shape));
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '' && known.has(name)) set[name] = value;
  if (args.httpPort !== undefined) set.HITL_MCP_HTTP_PORT = args.httpPort;
  if (args.host !== undefined) set.HITL_MCP_HTTP_HOST = args.host;
  const parsed = serverEnvironment.safeParse(set);
  if (!parsed.success) {
    const reasons = new Map<string, string[]>();
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? '(environment)');
      reasons.set(variable, [...new Set([...(reasons.get(variable) ?? []), issue.message])]);
    }
    throw new ConfigError(
      [...reasons.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([variable, messages]) => ({ variable, reason: messages.join(', ') })),
    );
  }
  const c = parsed.data;
  const token = c.HITL_MCP_HTTP_TOKEN_FILE?.text();
  if (c.HITL_MCP_HTTP_PORT !== undefined && !LOOPBACK.has(c.HITL_MCP_HTTP_HOST) && !token) {
    throw new ConfigError([
      {
        variable: 'HITL_MCP_HTTP_HOST',
        reason: `${c.HITL_MCP_HTTP_HOST} is not loopback: set HITL_MCP_HTTP_TOKEN_FILE so only clients with the token speak for the agent`,
      },
    ]);
  }
  const ssl = c.KAFKA_SSL
    ? {
        rejectUnauthorized: c.KAFKA_SSL_REJECT_UNAUTHORIZED,
        ...(c.KAFKA_SSL_CA_FILE ? { ca: [c.KAFKA_SSL_CA_FILE.text()] } : {}),
        ...(c.KAFKA_SSL_CERT_FILE ? { cert: c.KAFKA_SSL_CERT_FILE.text() } : {}),
        ...(c.KAFKA_SSL_KEY_FILE ? { key: c.KAFKA_SSL_KEY_FILE.text() } : {}),
      }
    : undefined;
  const sasl =
    c.KAFKA_SASL_MECHANISM && c.KAFKA_SASL_USERNAME && c.KAFKA_SASL_PASSWORD_FILE
      ? ({ mechanism: c.KAFKA_SASL_MECHANISM, username: c.KAFKA_SASL_USERNAME, password: c.KAFKA_SASL_PASSWORD_FILE.text() } as HitlAgentOptions['sasl'])
      : undefined;
  return {
    agent: {
      brokers: c.HITL_KAFKA_BROKERS,
      clientId: c.HITL_CLIENT_ID ?? `hitl-mcp-${c.HITL_AGENT_ID}`,
      agentId: c.HITL_AGENT_ID,
      workspace: c.HITL_WORKSPACE,
      topicPrefix: c.HITL_TOPIC_PREFIX,
      signingKey: c.HITL_SIGNING_KEY_FILE.text(),
      // The SDK parses the JWKS files (an AgentOptionsError names the bad one).
      trustedKeys: { router: c.HITL_ROUTER_JWKS_FILE.path, escalation: c.HITL_ESCALATION_JWKS_FILE.path },
      pendingStore: c.HITL_PENDING_STORE_FILE ?? 'memory',
      ...(c.HITL_REPLICA_ID ? { replicaId: c.HITL_REPLICA_ID } : {}),
      ...(ssl ? { ssl } : {}),
      ...(sasl ? { sasl } : {}),
    },
    waits: {
      defaultMs: c.HITL_MCP_WAIT_SECONDS * 1_000,
      maxMs: c.HITL_MCP_MAX_WAIT_SECONDS * 1_000,
      progressEveryMs: c.HITL_MCP_PROGRESS_SECONDS * 1_000,
    },
    ...(c.HITL_MCP_HTTP_PORT !== undefined ? { http: { port: c.HITL_MCP_HTTP_PORT, host: c.HITL_MCP_HTTP_HOST, ...(token ? { token } : {}) } } : {}),
    logLevel: c.HITL_LOG_LEVEL,
  };
}

/** The configuration of this process: its environment and its arguments after the script. */
export function configFromProcess(): ServerConfig {
  return loadConfig(process.env, process.argv.slice(2));
}

/** What the configuration says, for the start-up log: no key, token or password, only where they come from. */
export function describeConfig(config: ServerConfig): Record<string, unknown> {
  const { agent } = config;
  return {
    agentId: agent.agentId,
    workspace: agent.workspace,
    brokers: agent.brokers,
    topicPrefix: agent.topicPrefix,
    replicaId: agent.replicaId ?? null,
    pendingStore: agent.pendingStore,
    tls: Boolean(agent.ssl),
    sasl: agent.sasl ? (agent.sasl as { mechanism: string }).mechanism : null,
    transport: config.http ? `http://${config.http.host}:${config.http.port}/mcp` : 'stdio',
    httpToken: config.http?.token ? 'required' : undefined,
  };
}
