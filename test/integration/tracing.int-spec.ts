// One decision, one trace: an agent proposes through the SDK, the router routes it to human
// review, escalation opens the approval, a reviewer approves it over HTTP, and the agent gets
// the resolution, every hop a span of the same trace, its context riding on the signed
// events (`traceparent`). The agent's spans are this process's, kept by the SDK's in-memory
// exporter; the services run as their own processes (as deployed: apps never load apps) and
// export theirs over OTLP/HTTP to a collector this spec runs, which is how they are turned on.
import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { HitlAgent } from '@hitl/agent-sdk';
import { DecisionProposedData, Topic, decodeEvent } from '@hitl/contracts';
import { readWholeTopic, testTrust } from '@hitl/testing';
import { Tracing, startTracing } from '@hitl/tracing';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { Stack, TOKENS } from './support/stack';

/** A finished span, whoever kept it. */
interface SpanRecord {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  links: { traceId: string; spanId: string }[];
  attributes: Record<string, unknown>;
}

/** OTLP/JSON ids are hex (the spec); base64 accepted too. */
const hex = (id: string | undefined): string | undefined => (!id ? undefined : /^[0-9a-f]+$/.test(id) ? id : Buffer.from(id, 'base64').toString('hex'));

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
const valueOf = (v: OtlpValue) => v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
const attributesOf = (list: { key: string; value: OtlpValue }[] = []) => Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

/** The least OTLP/HTTP traces receiver (JSON, as @opentelemetry/exporter-trace-otlp-http sends). */
class Collector {
  readonly spans: SpanRecord[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.receive(req).then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
        () => res.writeHead(400).end(),
      );
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`;
  }

  async stop(): Promise<void> {
    await new Promise((done) => this.server?.close(done));
  }

  private async receive(req: IncomingMessage): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    for (const resourceSpans of body.resourceSpans ?? []) {
      const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
      for (const scope of resourceSpans.scopeSpans ?? [])
        for (const s of scope.spans ?? [])
          this.spans.push({
            service,
            name: s.name,
            kind: s.kind,
            traceId: hex(s.traceId)!,
            spanId: hex(s.spanId)!,
            parentSpanId: hex(s.parentSpanId),
            links: (s.links ?? []).map((l: { traceId: string; spanId: string }) => ({ traceId: hex(l.traceId)!, spanId: hex(l.spanId)! })),
            attributes: attributesOf(s.attributes),
          });
    }
  }
}

// OTLP span kinds are the API's plus one.
const SERVER = 2;
const CONSUMER = 5;

const collector = new Collector();
const agentSpans = new InMemorySpanExporter();
// Goodwill credits time out after 4 s in this run: the timer's path takes seconds.
const stack = new Stack((manifest) =>
  manifest.replace('  issue_goodwill_credit:\n    severity: medium\n', '  issue_goodwill_credit:\n    severity: medium\n    approval_timeout_seconds: 4\n'),
);
let tracing: Tracing | null;
let agent: HitlAgent;

beforeAll(async () => {
  // The services trace to the collector: the variables an operator sets (children inherit them).
  const saved = { ...process.env };
  process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = await collector.start();
  process.env.OTEL_BSP_SCHEDULE_DELAY = '100';
  try {
    await stack.start(['router', 'escalation']);
  } finally {
    for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_BSP_SCHEDULE_DELAY']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
  // The agent's process registers the SDK (here with the in-memory exporter) before it starts.
  tracing = startTracing({ serviceName: 'refund-bot', spanProcessors: [new SimpleSpanProcessor({ exporter: agentSpans })], detectResources: false });
  agent = await stack.agent('tracing-agent');
  await agent.start();
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await stack.stop();
  await tracing?.shutdown();
  await collector.stop();
});

function refund(amount: number, action = 'process_refund'): DecisionProposedData {
  return {
    decision_id: randomUUID(),
    agent: { id: 'refund-bot', model: 'tracing' },
    on_behalf_of: 'customer:c-7',
    action,
    parameters: action === 'process_refund' ? { order_id: `ORD-T${amount}`, amount_usd: amount } : { customer_id: 'c-7', amount_usd: amount },
    confidence: 0.9,
    confidence_basis: 'the damage photo matches the order',
    uncertainty_factors: [],
    recommended_review: false,
    summary: `Refund $${amount} to customer c-7.`,
  };
}

const agentRecords = (): SpanRecord[] =>
  agentSpans.getFinishedSpans().map((s) => ({
    service: 'refund-bot',
    name: s.name,
    kind: s.kind + 1,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
    links: s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
    attributes: { ...s.attributes },
  }));

const eventsAbout = async (topic: Topic, decisionId: string) =>
  (await readWholeTopic(stack.kafka, `${stack.prefix}${topic}`)).map((m) => m.value!).filter((v) => JSON.parse(v.toString()).subject === decisionId);

describe('tracing', () => {
  it('one reviewed decision is one trace: agent, router, escalation, the reviewer’s call and the delivery of its resolution', async () => {
    const decision = refund(120);
    const outcome = agent.propose(decision, { timeoutMs: 90_000 });

    // The router sends it to human review; the support agent approves it over HTTP.
    const item = await stack.eventually('the approval in the support agent inbox', async () => {
      const inbox = await stack.call('escalation', 'GET', '/approvals', TOKENS.alice);
      return (inbox.json.items as { decision_id: string; approval_id: string; payload_hash: string }[] | undefined)?.find(
        (i) => i.decision_id === decision.decision_id,
      );
    });
    const decided = await stack.call('escalation', 'POST', `/approvals/${item.approval_id}/approve`, TOKENS.alice, { payload_hash: item.payload_hash });
    expect(decided).toMatchObject({ status: 200, json: { status: 'approved' } });
    expect(await outcome).toMatchObject({ status: 'approved', resolved_by: { kind: 'reviewer', id: 'rev-alice' } });

    // The trace starts at the agent's proposal.
    const propose = await stack.eventually('the agent’s propose span', async () =>
      agentRecords().find((s) => s.name === 'propose process_refund' && s.attributes['hitl.decision_id'] === decision.decision_id),
    );
    const traceId = propose.traceId;
    const inTrace = () => [...agentRecords(), ...collector.spans].filter((s) => s.traceId === traceId);
    const expected = [
      ['refund-bot', 'propose process_refund'],
      ['router', 'decision.proposed process'],
      ['escalation', 'approval.requested process'],
      ['escalation', 'review approval'],
      ['refund-bot', 'deliver resolution'],
    ];
    const spans = await stack.eventually('every hop’s span on the decision’s trace', async () => {
      const all = inTrace();
      const ids = new Set(all.map((s) => s.spanId));
      // Spans arrive batched, from three processes: wait for the last hops and for every parent of what arrived.
      const complete = expected.every(([service, name]) => all.some((s) => s.service === service && s.name === name));
      return complete && all.every((s) => !s.parentSpanId || ids.has(s.parentSpanId)) && all;
    });
    const one = (service: string, name: string) => spans.find((s) => s.service === service && s.name === name)!;

    // One tree: one root (the proposal), every other span's parent in the trace.
    const ids = new Set(spans.map((s) => s.spanId));
    expect(spans.filter((s) => !s.parentSpanId).map((s) => s.name)).toEqual(['propose process_refund']);
    for (const span of spans)
      if (span.parentSpanId) expect({ span: span.name, parentInTrace: ids.has(span.parentSpanId) }).toEqual({ span: span.name, parentInTrace: true });

    // Each hop the child of the one before it.
    const routed = one('router', 'decision.proposed process');
    const opened = one('escalation', 'approval.requested process');
    const reviewed = one('escalation', 'review approval');
    const delivered = one('refund-bot', 'deliver resolution');
    expect(routed).toMatchObject({ parentSpanId: propose.spanId, kind: CONSUMER });
    expect(opened).toMatchObject({ parentSpanId: routed.spanId, kind: CONSUMER });
    expect(reviewed).toMatchObject({ parentSpanId: opened.spanId, attributes: { 'hitl.approval_id': item.approval_id, 'hitl.review.act': 'approve' } });
    expect(delivered).toMatchObject({ parentSpanId: reviewed.spanId, kind: CONSUMER });

    // The reviewer's HTTP request has its own span (the browser knows no trace), linked from the review.
    const request = await stack.eventually('the reviewer’s HTTP request span', async () =>
      collector.spans.find(
        (s) => s.name === 'POST /approvals/:id/approve' && s.kind === SERVER && s.attributes['url.path'] === `/approvals/${item.approval_id}/approve`,
      ),
    );
    expect(request.attributes).toMatchObject({ 'http.route': '/approvals/:id/approve', 'http.response.status_code': 200 });
    expect(reviewed.links).toEqual([{ traceId: request.traceId, spanId: request.spanId }]);

    // The events carry the trace (`traceparent`), each the context of the span that emitted it, and still verify.
    const carried: [Topic, SpanRecord][] = [
      ['decision.proposed', propose],
      ['approval.requested', routed],
      ['approval.resolved', reviewed],
    ];
    for (const [topic, emitter] of carried) {
      const [value] = await eventsAbout(topic, decision.decision_id);
      const decoded = decodeEvent(topic, value);
      if (!decoded.ok) throw new Error(`${topic}: ${decoded.violation.message}`);
      expect({ topic, traceparent: decoded.event.traceparent }).toEqual({ topic, traceparent: `00-${traceId}-${emitter.spanId}-01` });
      expect(testTrust().keyring.verify(decoded.raw, decoded.event)).toMatchObject({ ok: true });
    }
  });

  it('a decision nobody decides in time: the timer’s resolution goes back to the agent on the decision’s trace', async () => {
    const decision = refund(100, 'issue_goodwill_credit');
    expect(await agent.propose(decision, { timeoutMs: 60_000 })).toMatchObject({ status: 'expired', resolved_by: { kind: 'timeout' } });
    const propose = await stack.eventually('the agent’s propose span', async () =>
      agentRecords().find((s) => s.name === 'propose issue_goodwill_credit' && s.attributes['hitl.decision_id'] === decision.decision_id),
    );
    const spans = await stack.eventually('the timer’s and the delivery’s spans on the decision’s trace', async () => {
      const all = [...agentRecords(), ...collector.spans].filter((s) => s.traceId === propose.traceId);
      const ids = new Set(all.map((s) => s.spanId));
      const delivered = all.some((s) => s.name === 'deliver resolution');
      return delivered && all.every((s) => !s.parentSpanId || ids.has(s.parentSpanId)) && all;
    });
    const opened = spans.find((s) => s.service === 'escalation' && s.name === 'approval.requested process')!;
    // Each deadline that fired (a tier's SLA, then the expiry) in a span of its own, a child of the opening.
    const timers = spans.filter((s) => s.name === 'approval timer');
    for (const timer of timers) expect(timer).toMatchObject({ service: 'escalation', parentSpanId: opened.spanId });
    const delivered = spans.find((s) => s.name === 'deliver resolution')!;
    expect(timers.map((t) => t.spanId)).toContain(delivered.parentSpanId);
    expect(spans.filter((s) => !s.parentSpanId).map((s) => s.name)).toEqual(['propose issue_goodwill_credit']);
  });
});
