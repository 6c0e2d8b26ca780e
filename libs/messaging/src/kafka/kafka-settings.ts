import { fixKafkajsRequestQueue } from '@hitl/kafkajs-fix';
import { Kafka, LogEntry, logLevel } from 'kafkajs';
import { MessagingLogger } from '../logger';
import { KafkaSecurity, kafkaClientSecurity } from './kafka-security';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name, so several environments (or test runs) can share one cluster. */
  topicPrefix: string;
  /** TLS and SASL (KAFKA_SSL*, KAFKA_SASL*); absent: plaintext, unauthenticated. */
  security?: KafkaSecurity;
}

export function physicalTopic(settings: Pick<KafkaSettings, 'topicPrefix'>, topic: string): string {
  return `${settings.topicPrefix}${topic}`;
}

export function logicalTopic(settings: Pick<KafkaSettings, 'topicPrefix'>, physical: string): string {
  return physical.startsWith(settings.topicPrefix) ? physical.slice(settings.topicPrefix.length) : physical;
}

/** A kafkajs client whose logs go to the service's structured logger. */
export function createKafka(settings: KafkaSettings, logger: MessagingLogger): Kafka {
  fixKafkajsRequestQueue();
  const logCreator =
    () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const fields = { kafka: extra };
      if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.info(fields, message);
      else logger.debug(fields, message);
    };
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...kafkaClientSecurity(settings.security),
    logLevel: logLevel.WARN,
    logCreator,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
  });
}
