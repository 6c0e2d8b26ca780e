import { ALL_TOPICS, Topics, dlqTopic } from '@hitl/contracts';
import { Admin, ConfigResourceTypes, ConfigSource, Kafka } from 'kafkajs';
import { KafkaSettings, physicalTopic } from './kafka-settings';

/** Every topic of the contract and its DLQ, as named on the cluster. */
export function contractTopics(settings: Pick<KafkaSettings, 'topicPrefix'>): string[] {
  return ALL_TOPICS.flatMap((t) => [physicalTopic(settings, t), physicalTopic(settings, dlqTopic(t))]);
}

/**
 * The largest message `audit.recorded` (and its DLQ) takes. A record carries a whole event,
 * which may be as large as the broker lets any topic hold (`message.max.bytes`, 1 MiB by
 * default), with its chain fields and a signature around it: at the broker's limit the record
 * of a large event was refused, and the stream stopped at it for good.
 */
export const AUDIT_RECORD_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The largest message the approval topics (and their DLQs) take. A request for review carries
 * the whole decision, a resolution its parameters, with the service's words around them: the
 * answer to a proposal at the broker's limit is larger than it, and refused there it could
 * never be published.
 */
export const APPROVAL_EVENT_MAX_BYTES = 4 * 1024 * 1024;

const LARGER_TOPICS: ReadonlyMap<string, number> = new Map(
  [
    ...[Topics.AuditRecorded].map((t) => [t, AUDIT_RECORD_MAX_BYTES] as const),
    ...[Topics.ApprovalRequested, Topics.ApprovalUpdated, Topics.ApprovalResolved].map((t) => [t, APPROVAL_EVENT_MAX_BYTES] as const),
  ].flatMap(([topic, bytes]) => [
    [topic, bytes],
    [dlqTopic(topic), bytes],
  ]),
);

/** The settings a topic is created with beyond the broker's defaults (by its name on the cluster, any prefix). */
export function topicConfigEntries(name: string): { name: string; value: string }[] {
  for (const [topic, bytes] of LARGER_TOPICS) if (name === topic || name.endsWith(`.${topic}`)) return [{ name: 'max.message.bytes', value: String(bytes) }];
  return [];
}

/** Asks the broker for its own `default.replication.factor` (CreateTopics with -1; Kafka 2.4+). */
export const BROKER_DEFAULT_REPLICATION = -1;

/**
 * Creates the topics that are missing (idempotent); returns the ones it created, once the
 * broker names a leader for each. The replication factor defaults to the broker's; each
 * topic's settings are `configEntries(topic)` (what the contract needs unless told). Under
 * ACLs a topic the principal may not DESCRIBE looks missing: the error then says so.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: string[],
  partitions: number,
  replicationFactor = BROKER_DEFAULT_REPLICATION,
  configEntries: (topic: string) => { name: string; value: string }[] = topicConfigEntries,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin
        .createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor, configEntries: configEntries(topic) })),
        })
        .catch((error: Error & { type?: string; errors?: Array<{ type?: string }> }) => {
          // One topic: a protocol error; several: an aggregate of one per topic.
          const all = [error, ...(error.errors ?? [])];
          const refusal = all.map((e) => e.type).find((type) => type?.endsWith('AUTHORIZATION_FAILED'));
          if (!refusal) {
            // Created, but the broker was still settling them (kafkajs waits out only LEADER_NOT_AVAILABLE), or another creator won the race.
            if (all.every((e) => (e as { retriable?: boolean }).retriable === true || e.type === 'TOPIC_ALREADY_EXISTS'))
              return untilLed(admin, missing, partitions);
            throw error;
          }
          throw new Error(
            `not authorized to create ${missing.join(', ')} (${refusal}): an operator creates them (scripts/create-topics.ts), and this principal needs DESCRIBE on each`,
          );
        });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/** What raiseMessageLimits did: topics whose limit it raised, and those it could not. */
export interface RaisedLimits {
  raised: { topic: string; from: number | null; to: number }[];
  refused: { topic: string; reason: string }[];
}

/**
 * Raises `max.message.bytes` of existing topics that take less than their topic needs
 * (topicConfigEntries): a cluster whose topics an earlier version created keeps the limit they
 * were created with, and an event over it would be set aside for good. The topic's other
 * settings are kept (AlterConfigs replaces all of them, so they are read first). A principal
 * without DESCRIBE_CONFIGS or ALTER_CONFIGS on a topic gets it back in `refused`, with what an
 * operator runs instead; it never throws for that.
 */
export async function raiseMessageLimits(kafka: Kafka, topics: string[]): Promise<RaisedLimits> {
  const wanted = new Map(topics.flatMap((topic) => topicConfigEntries(topic).map((entry) => [topic, Number(entry.value)] as const)));
  const result: RaisedLimits = { raised: [], refused: [] };
  if (wanted.size === 0) return result;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    for (const [topic, bytes] of wanted) {
      if (!existing.has(topic)) continue;
      const operator = `kafka-configs.sh --alter --entity-type topics --entity-name ${topic} --add-config max.message.bytes=${bytes}`;
      try {
        // A topic just created may not be known to every broker yet: that is waited out.
        const described = await whileBrokerSettles(() =>
          admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] }),
        );
        const entries = described.resources[0]?.configEntries ?? [];
        const current = entries.find((e) => e.configName === 'max.message.bytes');
        const from = current ? Number(current.configValue) : null;
        if (from !== null && from >= bytes) continue;
        // The topic's own settings (not the broker's defaults), the new limit among them.
        const kept = entries
          .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && !e.readOnly && e.configName !== 'max.message.bytes')
          .map((e) => ({ name: e.configName, value: e.configValue }));
        if (kept.some((e) => e.value === null)) {
          result.refused.push({
            topic,
            reason: `it has settings the broker does not show (sensitive), which raising the limit here would drop; run: ${operator}`,
          });
          continue;
        }
        await whileBrokerSettles(() =>
          admin.alterConfigs({
            validateOnly: false,
            resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [...kept, { name: 'max.message.bytes', value: String(bytes) }] }],
          }),
        );
        result.raised.push({ topic, from, to: bytes });
      } catch (error) {
        const type = (error as { type?: string }).type;
        if (!type?.endsWith('AUTHORIZATION_FAILED')) throw error;
        result.refused.push({
          topic,
          reason: `${type}: this principal may not read or change the topic's settings; an operator checks its max.message.bytes and if lower runs: ${operator}`,
        });
      }
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

/** Waits (up to `timeoutMs`) until every topic answers its metadata with a leader for each partition. */
async function untilLed(admin: Admin, topics: string[], partitions: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const led =
        found.length === topics.length && found.every((t) => t.partitions.length >= Math.min(partitions, 1) && t.partitions.every((p) => p.leader >= 0));
      if (led) return;
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Runs `attempt` again while it fails with an error the broker calls retriable (a topic just
 * created that a metadata request does not know yet, a leader moving), up to `timeoutMs`: a
 * service starting beside a settling broker waits for it instead of exiting.
 */
export async function whileBrokerSettles<T>(attempt: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
    try {
      return await attempt();
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || Date.now() + wait > deadline) throw error;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
