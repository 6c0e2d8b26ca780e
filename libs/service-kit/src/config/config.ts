// Each service parses its environment once, at boot, with one zod schema built from
// these pieces. Values stay named as the variables are, so an error names what to fix.
import { fileAt, kafkaSecurityConfig, kafkaSecurityRules } from '@hitl/messaging';
import { z } from 'zod';
import { trustConfig } from '../trust/trust.config';
import { isHttpUrl } from './http-url';

const HOST_PORT = /^[^\s:,]+:\d{1,5}$/;
const TOPIC_CHARS = /^[A-Za-z0-9._-]*$/;

function wholeNumber(min: number, max: number) {
  const reason = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .trim()
    .regex(/^\d+$/, { error: reason })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: reason });
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Kafka. Schemas holding these add their rules: `.superRefine(kafkaSecurityRules)` (serviceConfig does). */
export function kafkaConfig(defaults: { clientId: string }) {
  return z.object({
    KAFKA_BROKERS: z
      .string()
      .refine((list) => list.split(',').every((broker) => HOST_PORT.test(broker.trim())), {
        error: 'must be a comma-separated list of host:port, e.g. 127.0.0.1:9092',
      })
      .transform((list) => list.split(',').map((broker) => broker.trim()))
      .default(['127.0.0.1:9092']),
    KAFKA_CLIENT_ID: z.string().trim().min(1, { error: 'must not be blank' }).default(defaults.clientId),
    KAFKA_TOPIC_PREFIX: z.string().regex(TOPIC_CHARS, { error: 'may only hold letters, digits, ".", "_" and "-"' }).default(''),
    /** Partitions of the contract topics this service creates when they are missing. */
    KAFKA_PARTITIONS: wholeNumber(1, 1000).default(3),
    /** Replicas of the topics this service creates; unset: the broker's `default.replication.factor`. */
    KAFKA_REPLICATION_FACTOR: wholeNumber(1, 32767).optional(),
    /** TLS and SASL: KAFKA_SSL*, KAFKA_SASL* (files read now; the password only from a file). */
    ...kafkaSecurityConfig.shape,
  });
}

export const POSTGRES_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;

/** PostgreSQL: where, as whom (the password only from a file), and over what (TLS). */
export const databaseConfig = z.object({
  DATABASE_URL: z
    .string()
    .refine(isPostgresUrl, { error: 'must be a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/hitl' })
    .refine((url) => !isPostgresUrl(url) || new URL(url).password === '', {
      error: 'must not hold a password (an environment leaks): put it in a file and name it in DATABASE_PASSWORD_FILE',
    })
    .refine((url) => !isPostgresUrl(url) || !/[?&](ssl|sslmode|sslrootcert|sslcert|sslkey)=/.test(url), {
      error: 'must not set TLS in its query: use DATABASE_SSL_MODE and DATABASE_SSL_CA_FILE',
    })
    .default('postgres://postgres@127.0.0.1:5432/hitl'),
  /** A file holding the password of DATABASE_URL's user (a trailing newline is not part of it). */
  DATABASE_PASSWORD_FILE: fileAt({ trimNewline: true }).optional(),
  /** TLS to PostgreSQL: disable; require (encrypted, any certificate); verify-ca; verify-full (the CA and the host name). */
  DATABASE_SSL_MODE: z.enum(POSTGRES_SSL_MODES, { error: `must be one of ${POSTGRES_SSL_MODES.join(', ')}` }).default('disable'),
  /** The CA certificates (PEM) that sign the server's certificate; for verify-ca and verify-full. */
  DATABASE_SSL_CA_FILE: fileAt().optional(),
});
export type DatabaseConfig = z.output<typeof databaseConfig>;

/** The rules between the database variables, for the schema holding them. */
export function databaseRules(config: DatabaseConfig, ctx: z.RefinementCtx): void {
  const verifies = config.DATABASE_SSL_MODE === 'verify-ca' || config.DATABASE_SSL_MODE === 'verify-full';
  if (verifies && !config.DATABASE_SSL_CA_FILE)
    ctx.addIssue({ code: 'custom', path: ['DATABASE_SSL_CA_FILE'], message: `must be set with DATABASE_SSL_MODE=${config.DATABASE_SSL_MODE}` });
  if (!verifies && config.DATABASE_SSL_CA_FILE)
    ctx.addIssue({ code: 'custom', path: ['DATABASE_SSL_CA_FILE'], message: 'is set but DATABASE_SSL_MODE verifies nothing: use verify-ca or verify-full' });
}

export function httpConfig(defaults: { port: number }) {
  return z.object({
    /** 0 lets the system pick a free port (tests). */
    HTTP_PORT: wholeNumber(0, 65535).default(defaults.port),
    HTTP_HOST: z.string().trim().min(1, { error: 'must not be blank' }).default('127.0.0.1'),
  });
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const logConfig = z.object({
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

/** What the shared plumbing needs from every service's parsed config. */
/**
 * Services that apply the action manifest read it from here (relative to the working
 * directory): a file, or a directory of `default.yaml` and `<workspace>.yaml` files.
 */
export const manifestConfig = z.object({
  MANIFEST_PATH: z.string().min(1).default('manifests/refunds.yaml'),
  /** The least time a tier gets before on_timeout (manifest v1.1: 60 s); tests running real timers in seconds set it lower. */
  MANIFEST_MIN_TIER_SHARE_SECONDS: z.coerce.number().positive().default(60),
  /** How often the manifest files are looked at for a change (reloaded as on SIGHUP); 0: only SIGHUP. */
  MANIFEST_WATCH_INTERVAL_MS: wholeNumber(0, 3_600_000).default(2_000),
});
export type ManifestConfig = z.output<typeof manifestConfig>;

const otlpUrl = z.string().trim().refine(isHttpUrl, { error: 'must be an http:// or https:// URL, e.g. http://otel-collector:4318' });

/**
 * Tracing (OpenTelemetry), off unless an OTLP endpoint is set: the standard variables.
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is the traces URL itself; OTEL_EXPORTER_OTLP_ENDPOINT a
 * base URL (`/v1/traces` appended). OTEL_SERVICE_NAME defaults to the service's name.
 */
export const tracingConfig = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl.optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1, { error: 'must not be blank' }).optional(),
  OTEL_SDK_DISABLED: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false'], { error: 'must be true or false' }))
    .transform((value) => value === 'true')
    .default(false),
});
export type TracingConfig = z.output<typeof tracingConfig>;

/**
 * What every service reads: Kafka, PostgreSQL, HTTP, logging and tracing, with its own defaults.
 * A service with more settings extends it: `serviceConfig({...}).extend({ ... })`.
 */
export function serviceConfig(defaults: { clientId: string; port: number }) {
  return z
    .object({
      ...kafkaConfig({ clientId: defaults.clientId }).shape,
      ...databaseConfig.shape,
      ...httpConfig({ port: defaults.port }).shape,
      ...logConfig.shape,
      ...tracingConfig.shape,
      ...trustConfig.shape,
    })
    .superRefine((config, ctx) => {
      kafkaSecurityRules(config, ctx);
      databaseRules(config, ctx);
    });
}

export type ServiceConfig = z.output<ReturnType<typeof kafkaConfig>> &
  z.output<typeof databaseConfig> &
  z.output<ReturnType<typeof httpConfig>> &
  z.output<typeof logConfig> &
  // Optional here: a service built without tracingConfig (the kit's test service) traces nothing.
  Partial<z.output<typeof tracingConfig>> &
  z.output<typeof trustConfig>;

export interface ConfigProblem {
  variable: string;
  reason: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.reason}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment with the service's schema. An empty variable counts as unset.
 * Throws a ConfigError naming every bad variable (never echoing values: some are secrets).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Readonly<Record<string, string | undefined>>): z.output<S> {
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(set);
  if (result.success) return result.data;
  const reasons = new Map<string, string[]>();
  for (const issue of result.error.issues) {
    const variable = issue.path.length > 0 ? String(issue.path[0]) : '(environment)';
    reasons.set(variable, [...(reasons.get(variable) ?? []), issue.message]);
  }
  const problems = [...reasons.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([variable, messages]) => ({ variable, reason: [...new Set(messages)].join(', ') }));
  throw new ConfigError(problems);
}
