import { AmountBandRow, WideningPolicy, amountBandEdges, formatUsd, suggestWidening } from './widening';

const policy = (over: Partial<WideningPolicy> = {}): WideningPolicy => ({
  current: 50,
  mode: 'approve_before',
  severity: 'medium',
  reversible: true,
  approved_unchanged_target: 0.99,
  min_reviews: 400,
  ...over,
});
const row = (band: number, approved_unchanged: number, reviewed: number): AmountBandRow => ({ action: 'process_refund', band, reviewed, approved_unchanged });
// $50 $62.50 $75 $100 $150 $250 $500
const edges = amountBandEdges(50, null);
const allHeld = [row(0, 400, 402), row(1, 500, 502), row(2, 450, 452), row(3, 600, 603), row(4, 410, 413), row(5, 400, 403)];

describe('widening auto_approve_below_usd', () => {
  it.each<[string, number, number | null, number[]]>([
    ['no cap: current × 1 … 10', 50, null, [50, 62.5, 75, 100, 150, 250, 500]],
    ['small amounts, to the cent', 10, null, [10, 12.5, 15, 20, 30, 50, 100]],
    ['a cap inside the bands: edges at or above it dropped, the cap the last edge', 50, 120, [50, 62.5, 75, 100, 120]],
    ['a cap on an edge', 50, 100, [50, 62.5, 75, 100]],
    ['a cap beyond the last edge leaves the bands as they are', 50, 10_000, [50, 62.5, 75, 100, 150, 250, 500]],
    ['a cap at ten times the limit', 50, 500, [50, 62.5, 75, 100, 150, 250, 500]],
    ['a cap at the current limit: nothing to widen into', 50, 50, []],
    ['a cap below it', 50, 40, []],
    ['no current limit: nothing to widen from', 0, null, []],
  ])('band edges, %s', (_name, current, cap, expected) => {
    expect(amountBandEdges(current, cap)).toEqual(expected);
  });

  it.each([
    [50, '$50'],
    [62.5, '$62.50'],
    [0.5, '$0.50'],
    [1250, '$1,250'],
    [1234567.891, '$1,234,567.89'],
  ])('%s reads as %s', (x, text) => {
    expect(formatUsd(x)).toBe(text);
  });

  it('every band held: widened to the last edge, each band its evidence', () => {
    expect(suggestWidening(allHeld, edges, policy())).toEqual({
      from: 50,
      to: 500,
      reason:
        'reviewers approved unchanged $50-$62.50: 400 of 402 (99.5%); $62.50-$75: 500 of 502 (99.6%); $75-$100: 450 of 452 (99.6%); ' +
        '$100-$150: 600 of 603 (99.5%); $150-$250: 410 of 413 (99.3%); $250-$500: 400 of 403 (99.3%), each at least 99%, over 400+ reviews each',
    });
  });

  it.each<[string, AmountBandRow[], number | null]>([
    ['the third band approved unchanged at 98%', [row(0, 400, 402), row(1, 500, 502), row(2, 441, 450), ...allHeld.slice(3)], 75],
    ['the second band under 400 reviews', [row(0, 400, 402), row(1, 399, 399), ...allHeld.slice(2)], 62.5],
    ['no row for the fourth band', allHeld.filter((b) => b.band !== 3), 100],
    ['the first band fails: nothing', [row(0, 395, 402), ...allHeld.slice(1)], null],
    ['no bands reviewed', [], null],
  ])('stops at the first band that fails: %s', (_name, bands, to) => {
    expect(suggestWidening(bands, edges, policy())?.to ?? null).toBe(to);
  });

  it.each<[string, Partial<WideningPolicy>, AmountBandRow[], number | null]>([
    ['irreversible high: 400 of 402 is 99.5%, its lower bound 98.2%', { reversible: false, severity: 'high' }, allHeld, null],
    ['irreversible critical, likewise', { reversible: false, severity: 'critical' }, allHeld, null],
    ['reversible high: the rate is enough', { reversible: true, severity: 'high' }, allHeld, 500],
    ['irreversible medium: the rate is enough', { reversible: false, severity: 'medium' }, allHeld, 500],
    ['irreversible high with 1000 of 1000: the lower bound is 99.6%', { reversible: false, severity: 'high' }, [row(0, 1000, 1000), row(1, 995, 1000)], 62.5],
  ])('%s', (_name, over, bands, to) => {
    expect(suggestWidening(bands, edges, policy(over))?.to ?? null).toBe(to);
  });

  it('the strict bar says why', () => {
    expect(suggestWidening([row(0, 1000, 1000)], edges, policy({ reversible: false, severity: 'high' }))?.reason).toBe(
      'reviewers approved unchanged $50-$62.50: 1000 of 1000 (100%), the 95% lower bound of each rate at least 99% (irreversible, high severity), over 400+ reviews each',
    );
  });

  it.each(['review_after', 'autonomous', 'log_and_alert'])('none for %s: not reviewed before it runs', (mode) => {
    expect(suggestWidening(allHeld, edges, policy({ mode }))).toBeNull();
  });

  it('capped at always_approve_above_usd: never widened past it', () => {
    const capped = amountBandEdges(50, 120);
    const widening = suggestWidening(allHeld, capped, policy());
    expect(widening?.to).toBe(120);
    expect(widening?.reason).toMatch(/; \$100-\$120: 600 of 603 \(99\.5%\), each at least 99%/);
  });

  it('no edges (no current limit): nothing', () => {
    expect(suggestWidening(allHeld, amountBandEdges(0, null), policy({ current: 0 }))).toBeNull();
  });
});
