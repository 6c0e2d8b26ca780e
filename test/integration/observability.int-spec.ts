// The alert rules and the dashboard in deploy/observability name only metrics the services
// export, of the kind the expressions need (a `_bucket` of a histogram, a rate of a
// counter), and every counter is named `..._total`. Read off the running services' /metrics.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { SERVICES, Stack, root } from './support/stack';

const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

/** Every `hitl_*` metric an expression reads. */
function metricsIn(expr: string): string[] {
  return [...new Set(expr.match(/\bhitl_[a-z0-9_]+/g) ?? [])];
}

describe('alert rules and the dashboard against what the services export', () => {
  const stack = new Stack();
  /** name -> kind (counter, gauge, histogram, summary), from each service's # TYPE lines. */
  const exported = new Map<string, string>();

  beforeAll(async () => {
    await stack.start([...SERVICES, 'gateway']);
    for (const url of Object.values(stack.urls)) {
      const text = await (await fetch(`${url}/metrics`)).text();
      for (const [, name, kind] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) exported.set(name, kind);
    }
  });

  afterAll(() => stack.stop());

  const rules: { alert: string; expr: string }[] = parse(readFileSync(resolve(root, 'deploy/observability/prometheus-rules.yaml'), 'utf8')).groups.flatMap(
    (g: { rules: unknown[] }) => g.rules,
  );
  const dashboard: { panels: { title: string; targets: { expr: string }[] }[] } = JSON.parse(
    readFileSync(resolve(root, 'deploy/observability/grafana-dashboard.json'), 'utf8'),
  );
  const expressions: [string, string][] = [
    ...rules.map((r): [string, string] => [`alert ${r.alert}`, r.expr]),
    ...dashboard.panels.flatMap((p) => p.targets.map((t): [string, string] => [`panel "${p.title}"`, t.expr])),
  ];

  it('the alerts cover SLA breaches, the DLQ rate, outbox backlog, consumer lag, failed notifications and signature refusals', () => {
    const read = new Set(rules.flatMap((r) => metricsIn(r.expr)));
    for (const metric of [
      'hitl_queue_sla_breaches',
      'hitl_messages_consumed_total',
      'hitl_outbox_pending',
      'hitl_consumer_lag',
      'hitl_notifications_total',
      'hitl_signature_refusals_total',
    ])
      expect([metric, read.has(metric)]).toEqual([metric, true]);
  });

  it.each(expressions)('%s reads metrics that exist, of the right kind', (_where, expr) => {
    expect(metricsIn(expr).length).toBeGreaterThan(0);
    for (const series of metricsIn(expr)) {
      if (HISTOGRAM_SERIES.test(series) && exported.get(series.replace(HISTOGRAM_SERIES, '')) === 'histogram') continue;
      expect([series, exported.get(series)]).toEqual([series, expect.any(String)]);
      if (/\brate\(|\bincrease\(/.test(expr) && new RegExp(`(rate|increase)\\(${series}\\b`).test(expr))
        expect([series, exported.get(series)]).toEqual([series, 'counter']);
    }
  });

  it('every counter is named ..._total, and nothing else is', () => {
    const misnamed = [...exported].filter(([name, kind]) => name.startsWith('hitl_') && (kind === 'counter') !== name.endsWith('_total'));
    expect(misnamed).toEqual([]);
  });

  it('the histograms of routing time, time to resolution, review time and relay delay, and the consumer lag, are exported', () => {
    expect({
      routing: exported.get('hitl_router_routing_seconds'),
      resolution: exported.get('hitl_escalation_resolution_seconds'),
      review: exported.get('hitl_escalation_review_seconds'),
      relay: exported.get('hitl_outbox_relay_delay_seconds'),
      chunks: exported.get('hitl_consumer_chunk_seconds'),
      lag: exported.get('hitl_consumer_lag'),
    }).toEqual({ routing: 'histogram', resolution: 'histogram', review: 'histogram', relay: 'histogram', chunks: 'histogram', lag: 'gauge' });
  });
});
