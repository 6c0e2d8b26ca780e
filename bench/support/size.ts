// How big a run is: `--size tiny|small|full` or BENCH_SIZE (default full). Tiny proves the
// figures still work (CI) and writes nothing to docs/benchmarks.md.

export const SIZES = ['tiny', 'small', 'full'] as const;
export type Size = (typeof SIZES)[number];

export interface Sizes {
  /** Figure 1: decisions routed, and passed through raw. */
  routedDecisions: number;
  /** Figure 2: offered rates (decisions/s) and how long each is held. */
  offeredRates: number[];
  secondsPerRate: number;
  /** Figure 3: events ingested by the audit, and copied raw. */
  auditEvents: number;
  /** Figure 4: pending approvals, and the span their deadlines are spread over. */
  pendingApprovals: number;
  deadlineSpreadSeconds: number;
  /** Figure 5: labeled outcomes the report runs over. */
  labeledOutcomes: number;
  /** Figure 8: approvals pending in one role's queue (and a tenth as many post-reviews) when the inbox and GET /queues are read. */
  queuePending: number;
  /** Figure 9: proposals a second on each path (SDK over Kafka, the gateway), and how many on each. */
  gatewayRate: number;
  gatewayProposals: number;
  /** Figure 10 (`--scale`): proposals each step of the scale-out routes, or the audit records, on the three-broker cluster. */
  scaleEvents: number;
}

export const SIZE_TABLE: Record<Size, Sizes> = {
  tiny: {
    routedDecisions: 1_000,
    offeredRates: [50, 100],
    secondsPerRate: 1,
    auditEvents: 1_000,
    pendingApprovals: 500,
    deadlineSpreadSeconds: 3,
    labeledOutcomes: 5_000,
    queuePending: 2_000,
    gatewayRate: 20,
    gatewayProposals: 60,
    scaleEvents: 1_000,
  },
  small: {
    routedDecisions: 10_000,
    offeredRates: [100, 500],
    secondsPerRate: 3,
    auditEvents: 10_000,
    pendingApprovals: 10_000,
    deadlineSpreadSeconds: 15,
    labeledOutcomes: 100_000,
    queuePending: 20_000,
    gatewayRate: 20,
    gatewayProposals: 300,
    scaleEvents: 10_000,
  },
  full: {
    routedDecisions: 100_000,
    offeredRates: [100, 500, 1000],
    secondsPerRate: 10,
    auditEvents: 100_000,
    pendingApprovals: 100_000,
    deadlineSpreadSeconds: 60,
    labeledOutcomes: 1_000_000,
    queuePending: 100_000,
    gatewayRate: 20,
    gatewayProposals: 1_000,
    scaleEvents: 100_000,
  },
};

/** The size asked for on the command line (wins) or in BENCH_SIZE. */
export function sizeFrom(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Size {
  const i = argv.indexOf('--size');
  const inline = argv.find((a) => a.startsWith('--size='))?.slice('--size='.length);
  const asked = inline ?? (i >= 0 ? argv[i + 1] : undefined) ?? env.BENCH_SIZE ?? 'full';
  if (!(SIZES as readonly string[]).includes(asked)) throw new Error(`--size / BENCH_SIZE must be one of ${SIZES.join(', ')} (got ${asked})`);
  return asked as Size;
}
