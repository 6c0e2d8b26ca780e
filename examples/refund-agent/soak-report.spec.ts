// The soak's per-minute table and its verdict rules.
import {
  Backlog,
  MEMORY_RULE_TEXT,
  SoakSample,
  backlogOf,
  drainedAtMs,
  formatHeader,
  formatRow,
  formatVerdict,
  memoryVerdict,
  minuteOf,
  minuteRows,
  soakVerdict,
} from './soak-report';

const backlog = (blocking: number, postReview = 0): Backlog => ({ blocking, postReview, unreviewed24h: 0, backedOff24h: 0 });

function sample(atS: number, fields: Partial<Omit<SoakSample, 'atMs'>> = {}): SoakSample {
  return { atMs: atS * 1000, proposed: 0, resolved: 0, waiting: 0, backlog: backlog(0), rssMib: {}, ...fields };
}

describe('backlogOf', () => {
  it.each([
    ['no lines', [], backlog(0, 0)],
    [
      'both queues over two roles',
      [
        { workspace: 'acme-support', role: 'support_agent', queue: 'blocking', depth: 4 },
        { workspace: 'acme-support', role: 'finance_lead', queue: 'blocking', depth: 1 },
        { workspace: 'acme-support', role: 'support_agent', queue: 'post_review', depth: 7, unreviewed_24h: 3, backed_off_24h: 9 },
      ],
      { blocking: 5, postReview: 7, unreviewed24h: 3, backedOff24h: 9 },
    ],
    ['a line from before the split (no queue) counts as blocking', [{ workspace: 'acme-support', role: 'support_agent', depth: 6 }], backlog(6, 0)],
  ])('%s', (_name, lines, expected) => {
    expect(backlogOf(lines)).toEqual(expected);
  });
});

describe('minuteOf', () => {
  it.each([
    [0, 1],
    [59_999, 1],
    [60_000, 2],
    [125_000, 3],
  ])('%i ms falls in minute %i', (atMs, minute) => {
    expect(minuteOf(atMs)).toBe(minute);
  });
});

describe('minuteRows', () => {
  const samples = [
    sample(10, { proposed: 200, resolved: 150, waiting: 50, backlog: backlog(12, 3), rssMib: { router: 100, escalation: 150 } }),
    sample(58, { proposed: 1160, resolved: 1100, waiting: 60, backlog: backlog(20, 5), rssMib: { router: 120, escalation: 140 } }),
    sample(62, { proposed: 1240, resolved: 1190, waiting: 50, backlog: backlog(18, 6), rssMib: { router: 110, escalation: 160 } }),
    sample(118, { proposed: 2360, resolved: 2300, waiting: 60, backlog: null, rssMib: { router: 115, escalation: Number.NaN } }),
    sample(130, { proposed: 2400, resolved: 2400, waiting: 0, backlog: backlog(0, 4), rssMib: { router: 105, escalation: 150 } }),
  ];

  it('counts each minute against the end of the one before, with the backlog at its end and the peak memory within it', () => {
    expect(minuteRows(samples)).toEqual([
      {
        minute: 1,
        endMs: 58_000,
        proposed: 1160,
        resolved: 1100,
        proposedTotal: 1160,
        resolvedTotal: 1100,
        blocking: 20,
        blockingPeak: 20,
        postReview: 5,
        agentWaits: 60,
        rssMib: { router: 120, escalation: 150 },
      },
      {
        // The last sample of minute 2 had no answer from /queues: the one before it stands.
        minute: 2,
        endMs: 118_000,
        proposed: 1200,
        resolved: 1200,
        proposedTotal: 2360,
        resolvedTotal: 2300,
        blocking: 18,
        blockingPeak: 18,
        postReview: 6,
        agentWaits: 60,
        rssMib: { router: 115, escalation: 160 },
      },
      {
        minute: 3,
        endMs: 130_000,
        proposed: 40,
        resolved: 100,
        proposedTotal: 2400,
        resolvedTotal: 2400,
        blocking: 0,
        blockingPeak: 0,
        postReview: 4,
        agentWaits: 0,
        rssMib: { router: 105, escalation: 150 },
      },
    ]);
  });

  it('has no rows without samples, and a null backlog when /queues never answered in a minute', () => {
    expect(minuteRows([])).toEqual([]);
    expect(minuteRows([sample(5, { backlog: null })])[0]).toMatchObject({ blocking: null, blockingPeak: null, postReview: null });
  });

  it('keeps the highest blocking backlog of the minute beside the one at its end', () => {
    const rows = minuteRows([sample(10, { backlog: backlog(4) }), sample(20, { backlog: backlog(31) }), sample(50, { backlog: backlog(2) })]);
    expect(rows[0]).toMatchObject({ blocking: 2, blockingPeak: 31 });
  });
});

describe('drainedAtMs', () => {
  const samples = [
    sample(290, { waiting: 40, backlog: backlog(30) }),
    sample(300, { waiting: 35, backlog: backlog(28) }),
    sample(320, { waiting: 0, backlog: backlog(3) }),
    sample(330, { waiting: 0, backlog: null }),
    sample(340, { waiting: 0, backlog: backlog(2) }),
    sample(350, { waiting: 0, backlog: backlog(0) }),
  ];
  it.each([
    ['never before the last proposal went out', null, 0, null],
    ['the first sample with nothing waiting and no blocking item', 300_000, 0, 350_000],
    ["the blocking items of earlier runs are not this run's", 300_000, 3, 320_000],
    ['a sample before the last proposal does not count', 325_000, 3, 340_000],
    ['not yet', 360_000, 0, null],
  ])('%s', (_name, lastProposedMs, baseline, expected) => {
    expect(drainedAtMs(samples, lastProposedMs, baseline)).toBe(expected);
  });
});

describe('memoryVerdict', () => {
  it.each([
    ['too short to judge', [300, 400], { judged: false, grew: false }],
    ['steady after the warm-up minute', [200, 310, 320, 315, 318, 312], { judged: true, grew: false, earlyPeak: 320, latePeak: 318 }],
    ['the warm-up minute may be the highest', [400, 300, 305, 302], { judged: true, grew: false, earlyPeak: 305, latePeak: 302 }],
    ['within the 16 MiB tolerance', [100, 150, 160, 175], { judged: true, grew: false, earlyPeak: 160, allowedMib: 176 }],
    ['5% of a large process is more than 16 MiB', [500, 600, 610, 640], { judged: true, grew: false, allowedMib: 640.5 }],
    ['a steady climb', [100, 150, 170, 190, 210, 230], { judged: true, grew: true, earlyPeak: 190, latePeak: 230 }],
    ['a jump in the last minute', [100, 150, 152, 151, 200], { judged: true, grew: true, earlyPeak: 152, latePeak: 200 }],
  ])('%s', (_name, perMinute, expected) => {
    expect(memoryVerdict('router', perMinute)).toMatchObject({ service: 'router', perMinute, ...expected });
  });
});

describe('soakVerdict', () => {
  const steady = { router: 150, escalation: 200 };
  const samples = [
    ...[30, 90, 150, 210, 270].map((s, i) =>
      sample(s, { proposed: 1200 * (i + 1), resolved: 1150 * (i + 1), waiting: 50, backlog: backlog(25), rssMib: steady }),
    ),
    sample(300, { proposed: 6000, resolved: 5990, waiting: 10, backlog: backlog(8), rssMib: steady }),
    sample(330, { proposed: 6000, resolved: 6000, waiting: 0, backlog: backlog(0), rssMib: steady }),
  ];
  const input = { decisions: 6000, records: 6000, failures: 0, samples, lastProposedMs: 299_950, baselineBlocking: 0, services: ['router', 'escalation'] };

  it.each([
    ['passes when all three hold', input, { ok: true, drainOk: true, resolvedOk: true, memoryOk: true, seconds: 30.1 }],
    ['fails on a decision never resolved', { ...input, records: 5999 }, { ok: false, drainOk: true, resolvedOk: false, memoryOk: true }],
    ['fails on a failed proposal', { ...input, records: 5999, failures: 1 }, { ok: false, resolvedOk: false }],
    ['fails when the backlog never drained', { ...input, samples: samples.slice(0, -1) }, { ok: false, drainOk: false, seconds: null }],
    [
      'fails when it drained after the limit',
      { ...input, samples: [...samples.slice(0, -1), sample(370, { proposed: 6000, resolved: 6000, waiting: 0, backlog: backlog(0), rssMib: steady })] },
      { ok: false, drainOk: false, seconds: 70.1 },
    ],
    [
      'fails when the escalation service reaches its 256 MiB ceiling, even steadily',
      { ...input, samples: samples.map((s) => ({ ...s, rssMib: { ...steady, escalation: 260 } })) },
      { ok: false, drainOk: true, memoryOk: true, ceilingsOk: false },
    ],
    [
      'fails when a service grew',
      { ...input, samples: samples.map((s, i) => ({ ...s, rssMib: { ...steady, escalation: 200 + 20 * i } })) },
      { ok: false, drainOk: true, memoryOk: false },
    ],
  ])('%s', (_name, given, expected) => {
    const verdict = soakVerdict(given);
    expect({
      ok: verdict.ok,
      drainOk: verdict.drain.ok,
      resolvedOk: verdict.resolved.ok,
      memoryOk: verdict.memoryOk,
      ceilingsOk: verdict.ceilings.every((c) => c.ok),
      seconds: verdict.drain.seconds,
    }).toMatchObject(expected);
  });

  it('prints a line per rule, one per service, and states the memory rule', () => {
    const lines = formatVerdict(soakVerdict({ ...input, records: 5999 }));
    expect(lines).toHaveLength(3 + 1 + 2);
    expect(lines[0]).toMatch(/^PASS {2}blocking backlog back to zero 30\.1 s after the last proposal \(limit 60 s\)$/);
    expect(lines[1]).toBe('FAIL  every decision resolved: 5999 resolutions for 6000 decisions');
    expect(lines[2]).toContain(MEMORY_RULE_TEXT);
    expect(lines[3]).toBe('PASS  escalation stayed under 256 MiB resident: peak 200 MiB');
    expect(lines[4]).toMatch(/router +150 150 150 150 150 150 MiB: earlier peak 150, later peak 150, allowed 166: steady$/);
  });
});

describe('the table', () => {
  it('lines the columns up under the heading', () => {
    const [row] = minuteRows([
      sample(59, { proposed: 1200, resolved: 1100, waiting: 100, backlog: backlog(40, 12), rssMib: { router: 151.4, escalation: 201.6 } }),
    ]);
    const header = formatHeader(['router', 'escalation']);
    const line = formatRow(row, ['router', 'escalation']);
    expect(line).toBe('   1     1200      1100    1200/1100          40     40           12          100 |     151         202');
    expect(line.indexOf('|')).toBe(header.indexOf('|'));
    expect(formatRow({ ...row, blocking: null, postReview: null }, ['router'], true)).toMatch(/^ {3}1\* .* - +40 +- +100 \| +151$/);
  });
});
