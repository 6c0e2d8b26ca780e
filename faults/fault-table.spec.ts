import { Outcome, formatTable, markdownTable } from './fault-table';

const clean: Outcome = {
  fault: 'kill -9 router, restart',
  inFlight: 12,
  lost: 0,
  duplicated: 0,
  violations: 0,
  stuck: 0,
  agentErrors: 0,
  deadLettered: 0,
  recoverS: 9.04,
  notes: [],
};
const broken: Outcome = {
  fault: 'kill -9 broker, restart',
  inFlight: 7,
  lost: 1,
  duplicated: 0,
  violations: 1,
  stuck: 2,
  agentErrors: 3,
  deadLettered: 2,
  recoverS: 37.66,
  notes: ['unresolved 1111: proposed, but no approval.resolved was published'],
};

describe('the fault table', () => {
  it("lines up the columns and lists each fault's notes after the table", () => {
    expect(formatTable([clean, broken]).split('\n')).toEqual([
      'fault                    in flight  lost  duplicated  violations  stuck  agent send errors  dead-lettered  recover (s)',
      '-----------------------  ---------  ----  ----------  ----------  -----  -----------------  -------------  -----------',
      'kill -9 router, restart         12     0           0           0      0                  0              0          9.0',
      'kill -9 broker, restart          7     1           0           1      2                  3              2         37.7',
      '',
      'notes:',
      '  kill -9 broker, restart: unresolved 1111: proposed, but no approval.resolved was published',
    ]);
  });

  it('writes docs/faults.md with how to reproduce, the run, and one row per fault', () => {
    const md = markdownTable([clean, { ...broken, fault: 'a | b' }], {
      minutes: 7.25,
      load: { decisions: 80, rate: 10 },
      reviewExpiryS: 90,
      deadlineS: 240,
      date: new Date('2026-11-22T06:30:00Z'),
    });
    expect(md).toContain('npm run faults -- --small');
    expect(md).toContain('## Last full run (2026-11-22 06:30 UTC, 7.3 min)');
    expect(md).toContain('80 decisions per fault, proposed at 10/s; the refunds manifest with reviews expiring after 90 s,');
    expect(md).toContain('still waited for 240 s after the strike');
    expect(md).toContain('proposing the rest of the batch (about 5 s)');
    expect(md).toContain('| kill -9 router, restart | 12 | 0 | 0 | 0 | 0 | 0 | 0 | 9.0 |');
    expect(md).toContain('| a \\| b | 7 | 1 | 0 | 1 | 2 | 3 | 2 | 37.7 |');
    expect(md).toContain('- a | b: unresolved 1111');
  });
});
