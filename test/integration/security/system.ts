// What the security specs need of a running stack beyond test/integration/support/stack.ts:
// raw HTTP (any headers, any body bytes), the operations each service documents, decisions
// proposed straight onto the broker, and digests of the state (database rows, topic ends)
// to prove that something changed nothing.
import { createHash, randomUUID } from 'node:crypto';
import { DECISION_PROPOSED, DecisionProposedData, Topics, newEvent } from '@hitl/contracts';
import { query, signed } from '@hitl/testing';
import { Producer } from 'kafkajs';
import { SERVICES, ServiceName, Stack } from '../support/stack';

/**
 * The calibrator's drift check is a timer that writes its own watches (calibrator.drift_watches)
 * whenever it runs, whatever anyone sent: off in the specs that compare every table before and
 * after, so they compare what the input did, on a slow day too.
 */
export const NO_DRIFT_CHECKS = { calibrator: { DRIFT_CHECK_SECONDS: '0' } };

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as is (no JSON encoding): a fuzzer's bytes. */
  body?: string;
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export async function send(stack: Stack, service: ServiceName, request: RawRequest): Promise<Answer> {
  const res = await fetch(`${stack.urls[service]}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
  const contentType = res.headers.get('content-type') ?? '';
  if (contentType.startsWith('text/event-stream')) {
    // A live stream never ends: its status and type are the answer.
    await res.body?.cancel();
    return { status: res.status, contentType, text: '', json: undefined };
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType, text, json };
}

/** `Authorization: Bearer <token>` and a JSON body, or neither. */
export function jsonRequest(method: string, path: string, token: string | null, body?: unknown): RawRequest {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { method, path, headers, body: body === undefined ? undefined : JSON.stringify(body) };
}

/** The reason of a refusal: the JSON `code`, or the code a link page prints for people in a browser. */
export function reasonOf(answer: Answer): { code: string | null; message: string | null } {
  if (answer.json && typeof answer.json === 'object' && !Array.isArray(answer.json)) {
    const { code, message } = answer.json as { code?: unknown; message?: unknown };
    return { code: typeof code === 'string' ? code : null, message: typeof message === 'string' ? message : null };
  }
  const page = /<small>\d{3} ([a-z0-9_]+)<\/small>/.exec(answer.text);
  const said = /<p>([^<]+)<\/p>/.exec(answer.text);
  return { code: page ? page[1] : null, message: said ? said[1] : null };
}

export interface Operation {
  service: ServiceName;
  method: string;
  /** As the OpenAPI document writes it, e.g. /approvals/{id}/approve. */
  path: string;
  parameters: { name: string; in: 'path' | 'query' | 'header' }[];
  hasBody: boolean;
}

export const operationKey = (o: { service: string; method: string; path: string }) => `${o.service} ${o.method.toUpperCase()} ${o.path}`;

/** Every operation every service documents in its /openapi.json: what the matrix and the fuzzer must cover. */
export async function documentedOperations(stack: Stack): Promise<Operation[]> {
  const operations: Operation[] = [];
  for (const service of SERVICES) {
    const document = (await send(stack, service, { method: 'GET', path: '/openapi.json' })).json as {
      paths: Record<string, Record<string, { parameters?: Operation['parameters']; requestBody?: unknown }>>;
    };
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        operations.push({ service, method: method.toUpperCase(), path, parameters: operation.parameters ?? [], hasBody: operation.requestBody !== undefined });
      }
    }
  }
  return operations;
}

/** A decision of the refunds manifest, as an agent proposes it. */
export function proposal(overrides: Partial<DecisionProposedData> & Pick<DecisionProposedData, 'action' | 'parameters'>): DecisionProposedData {
  return {
    decision_id: randomUUID(),
    agent: { id: 'refund-bot', model: 'security' },
    confidence: 0.9,
    confidence_basis: 'the order history matches the request',
    uncertainty_factors: [],
    recommended_review: false,
    summary: `Run ${overrides.action}.`,
    context: { situation: 'A customer asked for it.' },
    ...overrides,
  };
}

/** Publishes proposals onto decision.proposed, keyed by decision and signed by their agent as agents do. */
export async function propose(stack: Stack, producer: Producer, decisions: DecisionProposedData[], workspace = 'acme-support'): Promise<void> {
  await producer.send({
    topic: `${stack.prefix}${Topics.DecisionProposed}`,
    messages: decisions.map((data) => {
      const event = signed(newEvent(DECISION_PROPOSED, data, { source: `agent/${data.agent.id}`, workspaceid: workspace }));
      return { key: data.decision_id, value: JSON.stringify(event) };
    }),
  });
}

export interface ApprovalFixture {
  approval_id: string;
  decision_id: string;
  payload_hash: string;
}

/** The approvals escalation opened for these decisions, once it has opened them all. */
export async function approvalsOf(stack: Stack, decisionIds: string[]): Promise<ApprovalFixture[]> {
  return stack.eventually(`${decisionIds.length} approvals opened`, async () => {
    const rows = await query<ApprovalFixture>(
      'SELECT approval_id, decision_id, payload_hash FROM escalation.approvals WHERE decision_id = ANY($1::uuid[])',
      [decisionIds],
      stack.databaseUrl,
    );
    return rows.length === decisionIds.length ? decisionIds.map((id) => rows.find((r) => r.decision_id === id)!) : undefined;
  });
}

/** Every table of the services' schemas: its row count and a hash of its rows, in a stable order. */
/** `exceptDecisions`: rows of these decisions are left out (a test expects them to change). */
export async function databaseDigest(stack: Stack, exceptDecisions: readonly string[] = []): Promise<Record<string, string>> {
  const tables = await query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
      WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
    [[...SERVICES]],
    stack.databaseUrl,
  );
  const digest: Record<string, string> = {};
  for (const { schema, name } of tables) {
    const [row] = await query<{ n: string; rows: string | null }>(
      `SELECT count(*)::text AS n, string_agg(t::text, E'\\n' ORDER BY t::text) AS rows FROM "${schema}"."${name}" t
        WHERE coalesce(to_jsonb(t)->>'decision_id', '') <> ALL($1::text[])`,
      [exceptDecisions],
      stack.databaseUrl,
    );
    digest[`${schema}.${name}`] = `${row.n} rows, ${createHash('sha256')
      .update(row.rows ?? '')
      .digest('hex')
      .slice(0, 16)}`;
  }
  return digest;
}

/** The end offset of every partition of every topic of this stack. */
export async function topicEnds(stack: Stack): Promise<Record<string, string>> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(stack.prefix)).sort();
    const ends: Record<string, string> = {};
    for (const topic of topics) {
      for (const { partition, offset } of await admin.fetchTopicOffsets(topic)) ends[`${topic}/${partition}`] = offset;
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the outboxes are empty and the consumer groups are at the end of their topics: nothing moves any more. */
export async function settled(stack: Stack): Promise<void> {
  await stack.eventually('the system to settle', async () => {
    const before = JSON.stringify([await databaseDigest(stack), await topicEnds(stack)]);
    await new Promise((r) => setTimeout(r, 1_000));
    return JSON.stringify([await databaseDigest(stack), await topicEnds(stack)]) === before;
  });
}

export interface LiveStream {
  /** Every event so far, in the order it came: its name and its data. */
  readonly events: { event: string; data: any }[];
  close(): void;
}

/** Opens GET /approvals/stream as a reviewer and keeps reading its Server-Sent Events until closed. */
export async function openStream(stack: Stack, token: string): Promise<LiveStream> {
  const abort = new AbortController();
  const res = await fetch(`${stack.urls.escalation}/approvals/stream`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  if (res.status !== 200 || !res.body) throw new Error(`the stream answered ${res.status}`);
  const events: LiveStream['events'] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = frame
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (event) events.push({ event, data: data ? JSON.parse(data) : null });
      }
    }
  })().catch(() => undefined); // closed
  return { events, close: () => abort.abort() };
}
