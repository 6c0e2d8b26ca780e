import { Admin, Kafka } from 'kafkajs';

/** Answers whether the broker is reachable, for /healthz; keeps one admin connection. */
export class KafkaProbe {
  private admin?: Admin;

  constructor(private readonly kafka: Kafka) {}

  async check(timeoutMs = 3_000): Promise<{ brokers: number; controller: number | null }> {
    this.admin ??= this.kafka.admin();
    const admin = this.admin;
    const probe = (async () => {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return { brokers: cluster.brokers.length, controller: cluster.controller };
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Kafka did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
  }
}
