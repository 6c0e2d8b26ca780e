// "The backlog has drained": every consumer group has read its topics to the end, and no
// service holds an event in its outbox (the agent gateway's too, once it runs).
import { AUDITED_TOPICS, Topics, dlqTopic } from '@hitl/contracts';
import { eventually } from '@hitl/testing';
import { Admin } from 'kafkajs';
import { OwnPostgres } from './infra';
import { AppName, SERVICES } from './services';

/** The apps of a run that consume and keep an outbox: the four services, and the gateway once started. */
export type DrainedApp = Exclude<AppName, 'console'>;

/** What each service's group consumes (README: services table). */
const CONSUMED: Record<DrainedApp, string[]> = {
  router: [Topics.DecisionProposed],
  escalation: [Topics.ApprovalRequested, Topics.ApprovalUpdated, Topics.ApprovalResolved],
  audit: [...AUDITED_TOPICS, ...AUDITED_TOPICS.map(dlqTopic)],
  calibrator: [Topics.DecisionProposed, Topics.ApprovalRequested, Topics.ApprovalResolved, Topics.OutcomeLabeled],
  gateway: [Topics.ApprovalResolved],
};

/** Messages not yet read per group (`hitl-<service>`), over the topics that exist. */
export async function consumerLag(admin: Admin, apps: readonly DrainedApp[] = SERVICES): Promise<Record<string, number>> {
  const existing = new Set(await admin.listTopics());
  const lag: Record<string, number> = {};
  for (const service of apps) {
    const topics = CONSUMED[service].filter((t) => existing.has(t));
    let behind = 0;
    const committed = await admin.fetchOffsets({ groupId: `hitl-${service}`, topics });
    for (const { topic, partitions } of committed) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { high: Number(p.high), low: Number(p.low) }]));
      for (const p of partitions) {
        const end = ends.get(p.partition);
        if (!end) continue;
        const at = Number(p.offset) < 0 ? end.low : Number(p.offset);
        behind += Math.max(0, end.high - at);
      }
    }
    lag[service] = behind;
  }
  return lag;
}

/** Events written to outboxes and not yet published, per service schema. */
export async function outboxBacklog(postgres: OwnPostgres, apps: readonly DrainedApp[] = SERVICES): Promise<number> {
  let waiting = 0;
  for (const schema of apps) waiting += await postgres.count(`SELECT count(*) AS n FROM "${schema}".outbox`);
  return waiting;
}

/** Waits until lag is 0 for every group and every outbox is empty, twice in a row (a relay may be between two reads). */
export async function waitDrained(admin: Admin, postgres: OwnPostgres, timeoutMs: number, apps: readonly DrainedApp[] = SERVICES): Promise<void> {
  let clean = 0;
  let last = '';
  await eventually(
    'the backlog to drain',
    async () => {
      try {
        const lag = await consumerLag(admin, apps);
        const outbox = await outboxBacklog(postgres, apps);
        const behind = Object.values(lag).reduce((a, b) => a + b, 0);
        last = `lag ${JSON.stringify(lag)}, outboxes ${outbox}`;
        clean = behind === 0 && outbox === 0 ? clean + 1 : 0;
      } catch (error) {
        last = (error as Error).message;
        clean = 0;
      }
      return clean >= 2;
    },
    { timeoutMs, everyMs: 500, detail: () => `last seen: ${last}` },
  );
}
