// The fault table, for the terminal and for docs/faults.md. Pure.

export interface Outcome {
  fault: string;
  /** Decisions proposed and not yet resolved when the fault struck. */
  inFlight: number;
  /** Decisions with no resolution, or events missing from the audit or the calibrator. */
  lost: number;
  /** Second resolutions, events recorded twice, counts of things never published. */
  duplicated: number;
  /** Every new invariant violation (lost and duplicated included), and a backlog that never drained. */
  violations: number;
  /** Decisions the agent still waited for when its deadline passed (the backlog never fully drained). */
  stuck: number;
  /** Sends the agent saw fail (and knew about) while the fault lasted: refused, not lost. */
  agentErrors: number;
  /** Messages written to any `<topic>.dlq` from the strike to the drained backlog. */
  deadLettered: number;
  /** From the strike to a drained backlog with every resolution at the agent. */
  recoverS: number;
  notes: string[];
}

const HEADER = ['fault', 'in flight', 'lost', 'duplicated', 'violations', 'stuck', 'agent send errors', 'dead-lettered', 'recover (s)'];

function cells(o: Outcome): string[] {
  return [
    o.fault,
    String(o.inFlight),
    String(o.lost),
    String(o.duplicated),
    String(o.violations),
    String(o.stuck),
    String(o.agentErrors),
    String(o.deadLettered),
    o.recoverS.toFixed(1),
  ];
}

/** A fixed-width table, then each fault's notes. */
export function formatTable(outcomes: readonly Outcome[]): string {
  const rows = [HEADER, ...outcomes.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const notes = outcomes.flatMap((o) => o.notes.map((n) => `  ${o.fault}: ${n}`));
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line), ...(notes.length > 0 ? ['', 'notes:', ...notes] : [])].join(
    '\n',
  );
}

/** docs/faults.md: the last full table and how to reproduce it. */
export function markdownTable(
  outcomes: readonly Outcome[],
  run: { minutes: number; load: { decisions: number; rate: number }; reviewExpiryS: number; deadlineS: number; date: Date },
): string {
  const row = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const notes = outcomes.flatMap((o) => o.notes.map((n) => `- ${o.fault}: ${n}`));
  return [
    '# Fault runs',
    '',
    'The whole system under faults, with the invariants of `hitl check` verified after each one.',
    '`faults/run.ts` starts a Kafka broker and a PostgreSQL cluster of its own (never the shared',
    'ones), the four built services as child processes, and a steady load from the refund agent and',
    'the simulated reviewer desk of `examples/refund-agent`. Each fault strikes mid-batch (about 40% of',
    'the batch proposed). Then the backlog must drain (every consumer group at the end of its topics,',
    'every outbox empty, the agent holding every resolution) and the check must pass over everything',
    'the run has produced so far: one resolution per decision, no approval by timeout or by the',
    '`on_behalf_of` person, every event in the audit record exactly once with the chain intact, and',
    "the calibrator's resolutions and labels matching the topics.",
    '',
    'The last row adds the agent gateway: an agent with no Kafka connection (`lambda-bot` of the test',
    'registry, by its token) proposes the same stream over HTTP under decision_ids of its own and',
    'long-polls each outcome, while the gateway is killed with kill -9 and restarted; the agent sends a',
    'request that failed again under the same decision_id (the gateway answers a replay with 200 and',
    'proposes nothing twice). Beyond the check, each decision must come back to the agent with exactly',
    'one outcome (the approval.resolved on the topic), be one proposal event on `decision.proposed`',
    '(copies the relay re-sent after the kill are that event) and one decision at the router. From',
    'that row on, the gateway is drained like the services.',
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm run build',
    'npm run faults              # the full table below (rewrites this file)',
    'npm run faults -- --small   # a subset with a small load (CI)',
    '```',
    '',
    'Needs Java and the broker jars of `npm run infra:up`, PostgreSQL 15 binaries in',
    '`/usr/lib/postgresql/15/bin` and a `postgres` OS user (the run is started as root or that user).',
    'Logs: `.infra/faults-logs/`, the broker in `.infra/kafka-faults/logs/`.',
    '',
    `## Last full run (${run.date.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${run.minutes.toFixed(1)} min)`,
    '',
    `${run.load.decisions} decisions per fault, proposed at ${run.load.rate}/s; the refunds manifest with reviews expiring after ${run.reviewExpiryS} s,`,
    'so a review a fault leaves undecided resolves as `expired` within the run (the notes count them).',
    '"in flight" is proposed and not yet resolved at the strike (the agent\'s last progress tick, at most',
    '1 s old). "lost", "duplicated" and "violations" are new since the previous fault. "stuck" counts',
    `decisions the agent still waited for ${run.deadlineS} s after the strike (a drain that never completed).`,
    '"agent send errors" are proposals or labels the agent itself saw refused while the broker was away',
    '(it knows, so they are not lost); in the gateway row, the decisions whose POST failed and was sent',
    'again. "dead-lettered" counts messages written to any `<topic>.dlq` from the',
    'strike to the drained backlog: a transient failure (a broker or a database away for a while) must',
    'dead-letter nothing. "recover" runs from the strike to a drained backlog, so it includes',
    `proposing the rest of the batch (about ${((0.6 * run.load.decisions) / run.load.rate).toFixed(0)} s). After the last fault, \`hitl check\` runs over the whole run as a command.`,
    '',
    row(HEADER),
    row(HEADER.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...outcomes.map((o) => row(cells(o))),
    '',
    ...(notes.length > 0 ? ['Notes:', '', ...notes, ''] : []),
    'An expired decision is a terminal outcome the control plane chose (timeouts never approve), not a',
    'lost one: the simulated reviewer desk has a fixed number of people, and a fault that holds reviews',
    'back (a broker stopped for a minute, a rebalance between replicas) leaves it more to decide than',
    'it can within the expiry. `hitl check` verifies each such expiry against the manifest.',
    '',
  ].join('\n');
}
