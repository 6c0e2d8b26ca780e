import type { Keyring } from '@hitl/contracts';
import type { KafkaSecurity } from '@hitl/messaging';
import { Manifest, ManifestError, loadManifest } from '@hitl/policy';
import { Command } from 'commander';
import { DEFAULT_AUDIT_URL, DEFAULT_TOKEN_ENV } from '../audit/audit.command';
import { CliContext, CliFailure, ExitCode, readInputFile, writeLines } from '../cli-context';
import { parseServiceUrl, tokenFrom } from '../service-client';
import { CheckReport, checkRun, formatReport, workspacesOf } from './invariants';
import { readAudit, readCalibrator, readRunTopics } from './run-reader';

export interface RunSources {
  brokers: string[];
  /** TLS and SASL to the brokers; absent: plaintext, unauthenticated. */
  kafkaSecurity?: KafkaSecurity;
  prefix: string;
  manifest: Manifest;
  /** The audit service and an auditor token of every workspace ("*"). */
  audit: { url: URL; token: string };
  /** The calibrator's database and schema. */
  calibrator: { databaseUrl: string; schema: string };
  /** The run's trusted keys: forged events then count for nothing. Absent: signatures are not checked. */
  keyring?: Keyring;
}

/** Reads a run from its topics and services and checks it: what `hitl check` and the fault harness both run. */
export async function checkLiveRun(ctx: CliContext, sources: RunSources): Promise<CheckReport> {
  const messages = await readRunTopics(sources.brokers, sources.prefix, undefined, sources.kafkaSecurity).catch((error: Error) => {
    throw new CliFailure(ExitCode.usage, `cannot read the run's topics from ${sources.brokers.join(',')}: ${error.message}`);
  });
  const audit = await readAudit(ctx, sources.audit.url, sources.audit.token, workspacesOf(messages));
  const calibrator = await readCalibrator(sources.calibrator.databaseUrl, sources.calibrator.schema).catch((error: Error) => {
    throw new CliFailure(ExitCode.usage, `cannot read the calibrator's tables: ${error.message}`);
  });
  return checkRun({ messages, manifest: sources.manifest, audit, calibrator, now: ctx.now(), keyring: sources.keyring });
}

interface CheckOptions {
  prefix: string;
  brokers?: string;
  manifest: string;
  auditUrl: URL;
  token?: string;
  tokenEnv: string;
  calibratorDb?: string;
  calibratorSchema: string;
  json?: boolean;
}

/** `hitl check`: the invariants of a run (one topic prefix and its services). */
export function registerCheckCommand(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description(
      'check the invariants of a drained run: one resolution per decision, no forbidden approval, every event audited once, an intact chain, calibrator counts that match (exit 1 on any violation)',
    )
    .option('--prefix <prefix>', 'the topic prefix of the run (KAFKA_TOPIC_PREFIX)', '')
    .option(
      '--brokers <list>',
      "Kafka bootstrap brokers, comma-separated (default: KAFKA_BROKERS or 127.0.0.1:9092; TLS and SASL from the services' KAFKA_SSL* and KAFKA_SASL* variables)",
    )
    .option('--manifest <file>', 'the manifest the run was routed with', 'manifests/refunds.yaml')
    .option('--audit-url <url>', 'the audit service', parseServiceUrl, new URL(DEFAULT_AUDIT_URL))
    .option('--token <token>', 'an auditor token of every workspace (prefer --token-env)')
    .option('--token-env <name>', 'the environment variable holding the auditor token', DEFAULT_TOKEN_ENV)
    .option('--calibrator-db <url>', "the calibrator's PostgreSQL (default: DATABASE_URL or postgres://postgres@127.0.0.1:5432/hitl)")
    .option('--calibrator-schema <name>', "the calibrator's schema", 'calibrator')
    .option('--json', 'print the report as JSON')
    .action(async (options: CheckOptions) => {
      const token = tokenFrom(ctx, options, 'auditor');
      let manifest: Manifest;
      try {
        // The run's services may have lowered the least tier share (seconds-long test timeouts): judge it as they did.
        const share = Number(ctx.env?.MANIFEST_MIN_TIER_SHARE_SECONDS);
        manifest = loadManifest(readInputFile(ctx, options.manifest, 'manifest'), Number.isFinite(share) && share > 0 ? { minTierShareSeconds: share } : {});
      } catch (error) {
        if (error instanceof ManifestError) throw new CliFailure(ExitCode.usage, `invalid manifest ${options.manifest}: ${error.message}`);
        throw error;
      }
      // The services' variables: KAFKA_SSL*, KAFKA_SASL* (the password from KAFKA_SASL_PASSWORD_FILE).
      // Loaded here, not at the top: the messaging lib brings NestJS and TypeORM, which no other command needs.
      const { KafkaSecurityConfigError, loadKafkaSecurity } = await import('@hitl/messaging');
      let kafkaSecurity: KafkaSecurity;
      try {
        kafkaSecurity = loadKafkaSecurity(ctx.env ?? {});
      } catch (error) {
        if (error instanceof KafkaSecurityConfigError) throw new CliFailure(ExitCode.usage, error.message);
        throw error;
      }
      const keyring = await runKeyring(ctx.env ?? {});
      const report = await checkLiveRun(ctx, {
        keyring,
        brokers: (options.brokers ?? ctx.env?.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
        kafkaSecurity,
        prefix: options.prefix,
        manifest,
        audit: { url: options.auditUrl, token },
        calibrator: {
          databaseUrl: options.calibratorDb ?? ctx.env?.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hitl',
          schema: options.calibratorSchema,
        },
      });
      writeLines(ctx.io.out, options.json ? [JSON.stringify(report, null, 2)] : formatReport(report));
      if (!report.ok) ctx.setExitCode(ExitCode.invalid);
    });
}

/**
 * The keyring the services use, from the same variables (SERVICE_KEYS, AGENTS_PATH), when
 * SERVICE_KEYS is set; otherwise signatures are not checked (the report says so).
 */
async function runKeyring(env: Readonly<Record<string, string | undefined>>): Promise<Keyring | undefined> {
  if (!env.SERVICE_KEYS) return undefined;
  const { loadConfig, loadTrust, trustConfig, ConfigError, TrustError } = await import('@hitl/service-kit');
  try {
    return loadTrust(loadConfig(trustConfig, { SERVICE_KEYS: env.SERVICE_KEYS, AGENTS_PATH: env.AGENTS_PATH })).keyring;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof TrustError) throw new CliFailure(ExitCode.usage, error.message);
    throw error;
  }
}
