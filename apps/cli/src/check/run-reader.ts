// Reads what `hitl check` judges: every message on the run's topics (kafkajs), the audit
// record and its verification (the audit API, as an auditor), and the calibrator's rows
// (its PostgreSQL schema: no API lists them one by one).
import { randomUUID } from 'node:crypto';
import { AUDITED_TOPICS, dlqTopic } from '@hitl/contracts';
import { fixKafkajsRequestQueue } from '@hitl/kafkajs-fix';
import type { KafkaSecurity } from '@hitl/messaging';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { VerifyAnswer } from '../audit/verify-report';
import { CliContext, CliFailure, ExitCode } from '../cli-context';
import { callService } from '../service-client';
import { AuditFacts, CalibratorFacts, TopicMessage } from './invariants';

/**
 * Every message on every topic of the contract and its DLQ, from the beginning to the end it
 * had when asked; not the audit's stream (audit.recorded: what the audit made of them). `security`: TLS and SASL as the services take them (KAFKA_SSL*, KAFKA_SASL*).
 */
export async function readRunTopics(brokers: readonly string[], prefix: string, timeoutMs = 60_000, security?: KafkaSecurity): Promise<TopicMessage[]> {
  const { kafkaClientSecurity } = await import('@hitl/messaging'); // not at the top: see check.command.ts
  // kafkajs 2.2.4 alone re-arms a 1 ms timer per connection, and Node 24 warns about it on the terminal.
  fixKafkajsRequestQueue();
  const kafka = new Kafka({ clientId: 'hitl-check', brokers: [...brokers], ...kafkaClientSecurity(security), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const wanted = [...AUDITED_TOPICS, ...AUDITED_TOPICS.map(dlqTopic)].map((t) => `${prefix}${t}`);
  const existing = new Set(await admin.listTopics());
  // Where each partition ends now: the read stops there, so a busy run still gives one answer.
  const ends = new Map<string, bigint>();
  for (const topic of wanted.filter((t) => existing.has(t))) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
    }
  }
  await admin.disconnect();
  const messages: TopicMessage[] = [];
  if (ends.size === 0) return messages;

  const topics = [...new Set([...ends.keys()].map((k) => k.slice(0, k.lastIndexOf('/'))))];
  const consumer = kafka.consumer({ groupId: `hitl-check-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  try {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`could not read the run's topics within ${timeoutMs / 1000} s (${ends.size} partitions not read to the end)`)),
        timeoutMs,
      );
      void consumer.run({
        eachBatch: async ({ batch }) => {
          const key = `${batch.topic}/${batch.partition}`;
          const end = ends.get(key);
          if (end === undefined) return;
          for (const m of batch.messages) {
            if (BigInt(m.offset) >= end) break;
            messages.push({ topic: batch.topic.slice(prefix.length), partition: batch.partition, offset: m.offset, value: m.value?.toString('utf8') ?? null });
          }
          if (BigInt(batch.lastOffset()) + 1n >= end) ends.delete(key);
          if (ends.size === 0) {
            clearTimeout(timer);
            done();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

interface EventsPage {
  items: { event_id: string }[];
  next_cursor: string | null;
}

/** Every row of the workspaces' records (ids only) and the chains' verification, through the audit API. */
export async function readAudit(ctx: CliContext, base: URL, token: string, workspaces: readonly string[]): Promise<AuditFacts> {
  const eventIds: string[] = [];
  for (const workspace of workspaces) {
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ workspace, limit: '500', ...(cursor ? { cursor } : {}) });
      const page = (await callService(ctx, 'the audit service', base, `audit/events?${query}`, token)) as EventsPage;
      if (!Array.isArray(page?.items)) throw new CliFailure(ExitCode.usage, `${base.origin} did not answer as an audit service does (GET /audit/events)`);
      eventIds.push(...page.items.map((i) => i.event_id));
      cursor = page.next_cursor;
    } while (cursor);
  }
  const verified = VerifyAnswer.safeParse(await callService(ctx, 'the audit service', base, 'audit/verify', token));
  if (!verified.success) throw new CliFailure(ExitCode.usage, `${base.origin} did not answer as an audit service does (GET /audit/verify)`);
  const breaks = verified.data.workspaces.flatMap((w) =>
    w.first_break ? [`${w.workspace} at chain index ${w.first_break.chain_index} (${w.first_break.event_id}): ${w.first_break.reason}`] : [],
  );
  return { eventIds, verify: { ok: verified.data.ok, breaks } };
}

/** The calibrator's resolutions and labels, from its schema. */
export async function readCalibrator(databaseUrl: string, schema = 'calibrator'): Promise<CalibratorFacts> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const s = `"${schema.replace(/"/g, '""')}"`;
    const resolutions = await client.query<{ decision_id: string; approval_key: string; status: string }>(
      `SELECT decision_id::text, approval_key, status FROM ${s}.resolutions`,
    );
    const labels = await client.query<{ event_id: string; decision_id: string }>(`SELECT event_id, decision_id::text FROM ${s}.labels`);
    return { resolutions: resolutions.rows, labels: labels.rows };
  } finally {
    await client.end();
  }
}
