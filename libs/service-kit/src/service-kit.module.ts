import { Commands, KafkaProbe, Outbox, OutboxRelay } from '@hitl/messaging';
import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Kafka } from 'kafkajs';
import { LoggerModule } from 'nestjs-pino';
import { Logger } from 'pino';
import { ServiceConfig } from './config/config';
import { databaseModule } from './database/database.module';
import { HealthController } from './health/health.controller';
import { KafkaHealthIndicator } from './health/kafka.health';
import { loggerParams } from './logging/logger';
import { messagingProviders } from './messaging/messaging.providers';
import { MetricsController } from './metrics/metrics.controller';
import { ServiceDefinition } from './service-definition';
import { KeysController } from './trust/keys.controller';
import { TracingShutdown } from './tracing/service-tracing';
import { loadTrust } from './trust/trust';
import { useVerifyThreads } from '@hitl/contracts';
import { KAFKA_SETTINGS, SERVICE_CONFIG, SERVICE_LOGGER, SERVICE_TRUST } from './tokens';

/** What every service has besides its features; global, so feature modules can inject it. */
@Module({})
export class ServiceKitModule {
  static forRoot(definition: ServiceDefinition, config: ServiceConfig, logger: Logger): DynamicModule {
    const trust = loadTrust(config, definition.signs);
    // Process-wide, like the keyring's Ed25519 backend: every consumer of this service verifies through it.
    useVerifyThreads(config.SIGNATURE_VERIFY_THREADS);
    return {
      module: ServiceKitModule,
      global: true,
      imports: [LoggerModule.forRoot(loggerParams(logger)), TerminusModule.forRoot({ errorLogStyle: 'json' }), databaseModule(definition, config, logger)],
      controllers: [HealthController, MetricsController, KeysController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: SERVICE_LOGGER, useValue: logger },
        { provide: SERVICE_TRUST, useValue: trust },
        ...messagingProviders(definition, config, trust),
        KafkaHealthIndicator,
        TracingShutdown,
      ],
      exports: [SERVICE_CONFIG, SERVICE_LOGGER, SERVICE_TRUST, KAFKA_SETTINGS, Kafka, KafkaProbe, Outbox, OutboxRelay, Commands],
    };
  }
}
