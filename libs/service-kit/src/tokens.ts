/** The service's parsed config (its app's schema output). */
export const SERVICE_CONFIG = Symbol('hitl.service-config');
/** The service's root pino logger; also the messaging lib's `MessagingLogger`. */
export const SERVICE_LOGGER = Symbol('hitl.service-logger');
/** The service's `KafkaSettings` (brokers, client id, topic prefix). */
export const KAFKA_SETTINGS = Symbol('hitl.kafka-settings');
/** The service's `Trust`: its keyring, its signing key, its public keys. */
export const SERVICE_TRUST = Symbol('hitl.service-trust');
