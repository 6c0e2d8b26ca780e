import { nextRun, parsePeriod, parseRetention, periodFor, retentionCutoff } from './retention-policy';

const DAY = 86_400_000;

describe('reading AUDIT_RETENTION', () => {
  it.each([
    ['one workspace and the rest', 'acme-support=365d,*=730d', { 'acme-support': 365 * DAY }, 730 * DAY],
    ['only the rest', '*=30d', {}, 30 * DAY],
    ['only one workspace: the rest kept forever', 'acme-support=90d', { 'acme-support': 90 * DAY }, null],
    ['spaces around entries', ' acme-support = 1h , *=2m ', { 'acme-support': 3_600_000 }, 120_000],
    ['seconds, for tests', 'acme-support=1s', { 'acme-support': 1_000 }, null],
    ['a workspace kept forever despite "*"', 'globex=forever,*=365d', { globex: null }, 365 * DAY],
  ])('%s', (_name, text, workspaces, fallback) => {
    const parsed = parseRetention(text);
    if (!('policy' in parsed)) throw new Error(parsed.problems.join('; '));
    expect(Object.fromEntries([...parsed.policy.workspaces].map(([w, p]) => [w, p?.ms ?? null]))).toEqual(workspaces);
    expect(parsed.policy.fallback?.ms ?? null).toBe(fallback);
  });

  it.each([
    ['no period', 'acme-support', /"acme-support" is not workspace=period/],
    ['a unit it does not know', 'acme-support=2w', /acme-support: "2w" is not a period/],
    ['a zero period', '*=0d', /\*: "0d" is not a period/],
    ['a negative period', '*=-1d', /is not a period/],
    ['a fraction', '*=1.5d', /is not a period/],
    ['more than 100 years', '*=36501d', /at most 100 years/],
    ['a workspace given twice', 'a=1d,a=2d', /a is given twice/],
    ['"*" given twice', '*=1d,*=2d', /\* is given twice/],
    ['a bad workspace id', 'acme support=1d', /"acme support" is not a workspace id/],
    ['an empty entry', 'a=1d,,*=2d', /"" is not workspace=period/],
  ])('refuses %s, saying why', (_name, text, problem) => {
    const parsed = parseRetention(text);
    expect('problems' in parsed && parsed.problems.join('\n')).toMatch(problem);
  });

  it('names every problem at once', () => {
    const parsed = parseRetention('a=1x,b,c=1d,c=2d');
    expect('problems' in parsed && parsed.problems).toHaveLength(3);
  });
});

describe('the period of a workspace', () => {
  const parsed = parseRetention('acme-support=365d,globex=forever,*=730d');
  const policy = 'policy' in parsed ? parsed.policy : null!;
  const now = new Date('2026-11-22T00:00:00Z');

  it.each([
    ['its own entry wins', 'acme-support', '365d', '2025-11-22T00:00:00.000Z'],
    ['"*" for the others', 'initech', '730d', '2024-11-22T00:00:00.000Z'],
    ['forever is forever', 'globex', null, null],
  ])('%s', (_name, workspace, period, cutoff) => {
    expect(periodFor(policy, workspace)?.text ?? null).toBe(period);
    expect(retentionCutoff(policy, workspace, now)?.toISOString() ?? null).toBe(cutoff);
  });

  it('is forever without "*" for a workspace not listed', () => {
    const only = parseRetention('acme-support=1d');
    expect('policy' in only && retentionCutoff(only.policy, 'globex', now)).toBeNull();
  });

  it.each([
    ['1d', DAY],
    ['90m', 90 * 60_000],
    ['1d2h', null],
    ['', null],
    ['d', null],
  ])('reads the period %j', (text, ms) => {
    expect(parsePeriod(text)?.ms ?? null).toBe(ms);
  });
});

describe('when the job runs', () => {
  it.each([
    ['daily: the next midnight UTC', '2026-11-22T03:15:00Z', DAY, '2026-11-23T00:00:00.000Z'],
    ['daily, at midnight exactly: the next one', '2026-11-22T00:00:00Z', DAY, '2026-11-23T00:00:00.000Z'],
    ['hourly', '2026-11-22T03:15:00Z', 3_600_000, '2026-11-22T04:00:00.000Z'],
  ])('%s', (_name, now, interval, next) => {
    expect(nextRun(new Date(now), interval).toISOString()).toBe(next);
  });
});
