import { AddressInfo } from 'node:net';
import { getHeapStatistics } from 'node:v8';
import { KafkaBatchTransport, KafkaSettings, Outbox, OutboxRelay } from '@hitl/messaging';
import { INestApplication, Module } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { Kafka } from 'kafkajs';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ConfigError, ServiceConfig, loadConfig } from './config/config';
import { TrustError } from './trust/trust';
import { ErrorCodeFilter } from './http/error-code.filter';
import { createLogger, loggerParams } from './logging/logger';
import { setUpOpenApi } from './openapi/openapi';
import { ServiceDefinition } from './service-definition';
import { migrateAsOwner } from './database/database.module';
import { ServiceKitModule } from './service-kit.module';
import { httpTracing, startServiceTracing } from './tracing/service-tracing';
import { Trust } from './trust/trust';
import { KAFKA_SETTINGS, SERVICE_LOGGER, SERVICE_TRUST } from './tokens';

@Module({})
class ServiceRootModule {}

/**
 * Builds the service: database connected and migrated, Kafka transport attached, the
 * OpenAPI document at /openapi.json (UI at /docs), nothing consuming or listening yet.
 * Tests call this, then `startServiceApp`.
 */
export async function createServiceApp<C extends ServiceConfig>(definition: ServiceDefinition<C>, config: C): Promise<INestApplication> {
  const logger = createLogger({ service: definition.name, level: config.LOG_LEVEL });
  const params = loggerParams(logger);
  const app = await NestFactory.create(
    { module: ServiceRootModule, imports: [ServiceKitModule.forRoot(definition, config, logger), definition.module] },
    // The JSON logger from the first line on, so a failing boot is logged like the rest.
    { logger: new NestPinoLogger(new PinoLogger(params), params), abortOnError: false },
  );
  const strategy = new KafkaBatchTransport({
    kafka: app.get(Kafka),
    settings: app.get<KafkaSettings>(KAFKA_SETTINGS),
    // Environments sharing a cluster (told apart by the topic prefix) must not share consumer groups.
    groupId: consumerGroup(app.get<KafkaSettings>(KAFKA_SETTINGS), definition.name),
    dataSource: app.get(DataSource),
    schema: definition.schema,
    outbox: app.get(Outbox),
    signatures: { keyring: app.get<Trust>(SERVICE_TRUST).keyring, mode: definition.signatures ?? 'enforce' },
    relay: app.get(OutboxRelay),
    logger: app.get<Logger>(SERVICE_LOGGER).child({ component: 'kafka-transport' }),
    partitionsConsumedConcurrently: definition.consumer?.partitionsConsumedConcurrently,
    chunkSize: definition.consumer?.chunkSize,
  });
  // Each request in a span (a no-op without tracing), before any route.
  app.use(httpTracing);
  app.useGlobalFilters(new ErrorCodeFilter(app.get(HttpAdapterHost).httpAdapter));
  app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  setUpOpenApi(app, definition);
  return app;
}

/** Ensures the topics and starts the relay (app init), then consumes, then serves HTTP. Returns the base URL. */
export async function startServiceApp(app: INestApplication, config: Pick<ServiceConfig, 'HTTP_PORT' | 'HTTP_HOST'>): Promise<string> {
  await app.init();
  await app.startAllMicroservices();
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  const { port } = app.getHttpServer().address() as AddressInfo;
  return `http://${config.HTTP_HOST}:${port}`;
}

/**
 * A service's whole boot, for its main.ts (the only caller passing `process.env` and `process.argv`).
 * Any failure, a bad variable first of all, is logged and ends the process with code 1.
 */
export async function runService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  env: Readonly<Record<string, string | undefined>>,
  /** The process's arguments: `--migrate-only` migrates the schema and exits. */
  argv: readonly string[] = [],
): Promise<void> {
  const bootLogger = createLogger({ service: definition.name, level: 'info' });
  try {
    const config = loadConfig(definition.config, env);
    if (argv.includes('--migrate-only')) {
      // A migration job: the schema migrated (and the runtime role's password set), then exit 0.
      await (await migrateAsOwner(definition, config)).destroy();
      bootLogger.info({ schema: definition.schema, migrations: definition.migrations.length }, `${definition.name}: schema migrated (--migrate-only)`);
      return;
    }
    // Before the app, so every span of the service is kept (off unless OTEL_EXPORTER_OTLP_*ENDPOINT is set).
    if (startServiceTracing(definition.name, config))
      bootLogger.info({ serviceName: config.OTEL_SERVICE_NAME ?? definition.name }, `${definition.name}: tracing to OTLP`);
    const app = await createServiceApp(definition, config);
    // SIGTERM and SIGINT stop the service; SIGHUP is left to the app (the router reloads its manifest on it).
    app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
    const url = await startServiceApp(app, config);
    // The heap it may grow to: the image's NODE_OPTIONS budget, or a share of the machine's memory when unset.
    const heapLimitMib = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
    app.get<Logger>(SERVICE_LOGGER).info({ url, heapLimitMib }, `${definition.name} listening on ${url}`);
  } catch (error) {
    // A config error is the operator's to fix, not a bug: its list, without a stack trace.
    const fields = error instanceof ConfigError ? { problems: error.problems } : error instanceof TrustError ? { variable: error.variable } : { err: error };
    bootLogger.fatal(fields, `${definition.name} failed to start: ${(error as Error).message}`);
    process.exit(1);
  }
}

/** The consumer group of a service: `hitl-<name>`, behind the environment's topic prefix. */
export function consumerGroup(settings: Pick<KafkaSettings, 'topicPrefix'>, name: string): string {
  return `${settings.topicPrefix}hitl-${name}`;
}
