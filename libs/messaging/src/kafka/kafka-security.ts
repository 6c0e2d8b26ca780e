// TLS and SASL for every Kafka client of hitl: the variables (one set for the services,
// the CLI and the scripts), the rules between them, and what kafkajs is given.
import { readFileSync } from 'node:fs';
import { KafkaConfig, SASLOptions } from 'kafkajs';
import { z } from 'zod';

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** How a client checks the brokers and proves who it is to them. Absent parts: plaintext, unauthenticated. */
export interface KafkaSecurity {
  /** TLS. `ca`: the CAs to trust (PEM) instead of Node's; `cert` and `key`: a client certificate (PEM). */
  ssl?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

/** The `ssl` and `sasl` options of `new Kafka({...})` for it. */
export function kafkaClientSecurity(security: KafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security?.ssl) {
    const { ca, cert, key, rejectUnauthorized } = security.ssl;
    options.ssl = {
      rejectUnauthorized,
      ...(ca === undefined ? {} : { ca: [ca] }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
    };
  }
  if (security?.sasl) options.sasl = { ...security.sasl } as SASLOptions;
  return options;
}

/** A file read at start. Logged or serialised it shows its path, never what it holds (keys, passwords). */
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

const READ_ERRORS: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' };

/** A path whose file is read now; the issue (on the variable) says why it could not be, never what it holds. */
export function fileAt(options: { trimNewline?: boolean } = {}) {
  return z
    .string()
    .trim()
    .min(1, { error: 'must not be blank' })
    .transform((path, ctx) => {
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
}

function trueOrFalse(defaultValue: boolean) {
  return z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((value) => value === 'true')
    .default(defaultValue);
}

/**
 * The variables. Files are read when the environment is parsed (at start): a missing or
 * unreadable file is an issue on its variable. The password is only ever read from a file.
 */
export const kafkaSecurityConfig = z.object({
  /** TLS to the brokers. */
  KAFKA_SSL: trueOrFalse(false),
  /** CA certificates (PEM) to trust instead of Node's. */
  KAFKA_SSL_CA_FILE: fileAt().optional(),
  /** A client certificate (PEM) for mutual TLS; with KAFKA_SSL_KEY_FILE. */
  KAFKA_SSL_CERT_FILE: fileAt().optional(),
  /** The client certificate's private key (PEM); with KAFKA_SSL_CERT_FILE. */
  KAFKA_SSL_KEY_FILE: fileAt().optional(),
  /** false accepts any broker certificate: for a test bench only. */
  KAFKA_SSL_REJECT_UNAUTHORIZED: trueOrFalse(true),
  KAFKA_SASL_MECHANISM: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(KAFKA_SASL_MECHANISMS, { error: `must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}` }))
    .optional(),
  KAFKA_SASL_USERNAME: z.string().trim().min(1, { error: 'must not be blank' }).optional(),
  /** A file holding the password (a trailing newline is not part of it). */
  KAFKA_SASL_PASSWORD_FILE: fileAt({ trimNewline: true }).optional(),
  /** Refused: an environment leaks (child processes, /proc, crash reports); the password comes from a file. */
  KAFKA_SASL_PASSWORD: z.undefined({ error: 'is not read: put the password in a file and name it in KAFKA_SASL_PASSWORD_FILE' }).optional(),
});
export type KafkaSecurityConfig = z.output<typeof kafkaSecurityConfig>;

/** The rules between the variables, for the schema holding them: `.superRefine(kafkaSecurityRules)`. */
export function kafkaSecurityRules(config: KafkaSecurityConfig, ctx: z.RefinementCtx): void {
  const problem = (variable: keyof KafkaSecurityConfig, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
  if (!config.KAFKA_SSL) {
    for (const variable of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const) {
      if (config[variable]) problem(variable, 'is set but KAFKA_SSL is not true');
    }
  }
  if (config.KAFKA_SSL_CERT_FILE && !config.KAFKA_SSL_KEY_FILE)
    problem('KAFKA_SSL_KEY_FILE', "must be set with KAFKA_SSL_CERT_FILE (the certificate's private key)");
  if (config.KAFKA_SSL_KEY_FILE && !config.KAFKA_SSL_CERT_FILE) problem('KAFKA_SSL_CERT_FILE', 'must be set with KAFKA_SSL_KEY_FILE (the client certificate)');
  if (config.KAFKA_SASL_MECHANISM === 'plain' && !config.KAFKA_SSL)
    problem('KAFKA_SASL_MECHANISM', 'plain sends the password itself: only with KAFKA_SSL=true (or use scram-sha-512)');
  if (config.KAFKA_SASL_MECHANISM) {
    if (!config.KAFKA_SASL_USERNAME) problem('KAFKA_SASL_USERNAME', 'must be set with KAFKA_SASL_MECHANISM');
    if (!config.KAFKA_SASL_PASSWORD_FILE) problem('KAFKA_SASL_PASSWORD_FILE', 'must be set with KAFKA_SASL_MECHANISM (a file holding the password)');
  } else if (config.KAFKA_SASL_USERNAME || config.KAFKA_SASL_PASSWORD_FILE) {
    problem('KAFKA_SASL_MECHANISM', `must be set with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE: one of ${KAFKA_SASL_MECHANISMS.join(', ')}`);
  }
}

/** The security of a client from the parsed variables. */
export function kafkaSecurityOf(config: KafkaSecurityConfig): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (config.KAFKA_SSL) {
    security.ssl = {
      rejectUnauthorized: config.KAFKA_SSL_REJECT_UNAUTHORIZED,
      ca: config.KAFKA_SSL_CA_FILE?.text(),
      cert: config.KAFKA_SSL_CERT_FILE?.text(),
      key: config.KAFKA_SSL_KEY_FILE?.text(),
    };
  }
  if (config.KAFKA_SASL_MECHANISM && config.KAFKA_SASL_USERNAME && config.KAFKA_SASL_PASSWORD_FILE) {
    security.sasl = { mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME, password: config.KAFKA_SASL_PASSWORD_FILE.text() };
  }
  return security;
}

/** Bad Kafka security variables, each named with why (never with its value). */
export class KafkaSecurityConfigError extends Error {
  constructor(readonly problems: ReadonlyArray<{ variable: string; reason: string }>) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.reason}`).join('; ')}`);
    this.name = 'KafkaSecurityConfigError';
  }
}

/**
 * For the CLI and the scripts: the security from an environment
 * (an empty variable counts as unset, as for the services), or a KafkaSecurityConfigError.
 */
export function loadKafkaSecurity(env: Readonly<Record<string, string | undefined>>): KafkaSecurity {
  const set = Object.fromEntries(Object.entries(env).filter(([name, value]) => name.startsWith('KAFKA_') && value !== undefined && value !== ''));
  const result = kafkaSecurityConfig.superRefine(kafkaSecurityRules).safeParse(set);
  if (result.success) return kafkaSecurityOf(result.data);
  const reasons = new Map<string, string[]>();
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? '(environment)');
    reasons.set(variable, [...new Set([...(reasons.get(variable) ?? []), issue.message])]);
  }
  throw new KafkaSecurityConfigError(
    [...reasons.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([variable, messages]) => ({ variable, reason: messages.join(', ') })),
  );
}
