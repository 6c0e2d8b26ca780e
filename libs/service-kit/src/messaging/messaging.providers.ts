import {
  Commands,
  KafkaProbe,
  KafkaSettings,
  Outbox,
  OutboxRelay,
  contractTopics,
  createKafka,
  ensureTopics,
  kafkaSecurityOf,
  raiseMessageLimits,
} from '@hitl/messaging';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit, Provider } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ServiceConfig } from '../config/config';
import { ServiceDefinition } from '../service-definition';
import { Trust } from '../trust/trust';
import { KAFKA_SETTINGS, SERVICE_CONFIG, SERVICE_LOGGER } from '../tokens';

/**
 * Kafka plumbing over the app's lifecycle: the contract topics exist before anything
 * consumes (so a fresh broker works), and the outbox relay runs while the app does.
 */
@Injectable()
export class MessagingLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly kafka: Kafka,
    private readonly relay: OutboxRelay,
    private readonly probe: KafkaProbe,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const { KAFKA_PARTITIONS, KAFKA_REPLICATION_FACTOR } = this.config;
    const created = await ensureTopics(this.kafka, contractTopics(this.settings), KAFKA_PARTITIONS, KAFKA_REPLICATION_FACTOR).catch((error: Error) => {
      throw new Error(`cannot ensure the contract topics on ${this.settings.brokers.join(',')} (KAFKA_BROKERS): ${error.message}`);
    });
    if (created.length > 0) this.logger.info({ topics: created, partitions: this.config.KAFKA_PARTITIONS }, 'created missing topics');
    // Topics an earlier version created keep their limit; an event over it would be set aside.
    const limits = await raiseMessageLimits(this.kafka, contractTopics(this.settings)).catch((error: Error) => {
      throw new Error(`cannot check the message limits of the contract topics on ${this.settings.brokers.join(',')} (KAFKA_BROKERS): ${error.message}`);
    });
    for (const raised of limits.raised) this.logger.info(raised, 'raised the largest message a topic takes');
    for (const refused of limits.refused)
      this.logger.warn(refused, 'could not check or raise the largest message a topic takes; if it is lower than its events need, they will be set aside');
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.info({ signal }, 'shutting down: stopping the outbox relay');
    await this.relay.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.probe.close();
  }
}

export function messagingProviders(definition: ServiceDefinition, config: ServiceConfig, trust: Trust): Provider[] {
  const settings: KafkaSettings = {
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    security: kafkaSecurityOf(config),
  };
  return [
    { provide: KAFKA_SETTINGS, useValue: settings },
    { provide: Kafka, useFactory: (logger: Logger) => createKafka(settings, logger.child({ component: 'kafkajs' })), inject: [SERVICE_LOGGER] },
    { provide: KafkaProbe, useFactory: (kafka: Kafka) => new KafkaProbe(kafka), inject: [Kafka] },
    { provide: Outbox, useValue: new Outbox(definition.schema, trust.signingKey) },
    {
      provide: OutboxRelay,
      useFactory: (dataSource: DataSource, kafka: Kafka, logger: Logger) =>
        new OutboxRelay({ dataSource, schema: definition.schema, kafka, settings, logger: logger.child({ component: 'outbox-relay' }) }),
      inject: [DataSource, Kafka, SERVICE_LOGGER],
    },
    // HTTP commands and timers run like Kafka handlers: one transaction, emit, relay nudged after commit.
    {
      provide: Commands,
      useFactory: (dataSource: DataSource, outbox: Outbox, relay: OutboxRelay) => new Commands({ dataSource, outbox, relay }),
      inject: [DataSource, Outbox, OutboxRelay],
    },
    MessagingLifecycle,
  ];
}
