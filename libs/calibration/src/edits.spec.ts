import type { EscalateWhen } from '@hitl/policy';
import { EditAnalysis, FieldEdit, ReviewedDecision, analyseEdits, parameterEdits } from './edits';

const none = { redact: [], escalate_when: [] };

/** A review approved unchanged, or edited by `edit`. */
const approvedAs = (proposed: Record<string, unknown>, edit?: (p: Record<string, unknown>) => Record<string, unknown>): ReviewedDecision =>
  edit ? { proposed, approved: edit(proposed), edited: true } : { proposed, approved: proposed, edited: false };
const denied = (proposed: Record<string, unknown>): ReviewedDecision => ({ proposed, approved: null, edited: false });

/** `n` reviews from `params(i)`, the first `edited` of them edited by `edit`. */
const reviews = (
  n: number,
  edited: number,
  params: (i: number) => Record<string, unknown>,
  edit: (p: Record<string, unknown>) => Record<string, unknown> = (p) => ({ ...p, amount_usd: (p.amount_usd as number) * 0.6 }),
): ReviewedDecision[] => Array.from({ length: n }, (_, i) => approvedAs(params(i), i < edited ? edit : undefined));

// Noise every population carries: an id unique per review, a constant currency.
const base = (i: number, tag: string) => ({ order_id: `${tag}-${i}`, currency: 'USD' });

describe('edits', () => {
  describe('parameterEdits', () => {
    it.each<[string, Record<string, unknown>, Record<string, unknown>, FieldEdit[]]>([
      ['lowered, with the relative change', { amount_usd: 100 }, { amount_usd: 60 }, [{ field: 'amount_usd', kind: 'lowered', relative: -0.4 }]],
      ['raised', { amount_usd: 50 }, { amount_usd: 75 }, [{ field: 'amount_usd', kind: 'raised', relative: 0.5 }]],
      ['from a negative number: relative to its size', { delta: -20 }, { delta: -10 }, [{ field: 'delta', kind: 'raised', relative: 0.5 }]],
      ['raised from 0: no relative change', { amount_usd: 0 }, { amount_usd: 5 }, [{ field: 'amount_usd', kind: 'raised', relative: null }]],
      ['a string changed', { shipping_method: 'express' }, { shipping_method: 'ground' }, [{ field: 'shipping_method', kind: 'changed', relative: null }]],
      ['a number that became a string is changed', { amount_usd: 10 }, { amount_usd: '10' }, [{ field: 'amount_usd', kind: 'changed', relative: null }]],
      ['added', { a: 1 }, { a: 1, gift_note: 'hi' }, [{ field: 'gift_note', kind: 'added', relative: null }]],
      ['removed', { a: 1, gift_note: 'hi' }, { a: 1 }, [{ field: 'gift_note', kind: 'removed', relative: null }]],
      [
        'nested fields by dotted path',
        { address: { city: 'Oslo', zip: '0150' } },
        { address: { city: 'Bergen', zip: '0150' } },
        [{ field: 'address.city', kind: 'changed', relative: null }],
      ],
      ['arrays as whole values', { items: ['a', 'b'] }, { items: ['b', 'a'] }, [{ field: 'items', kind: 'changed', relative: null }]],
      ['an array of objects with keys in another order is unchanged', { items: [{ sku: 'x', qty: 1 }] }, { items: [{ qty: 1, sku: 'x' }] }, []],
      [
        'beyond depth 4, a whole value',
        { a: { b: { c: { d: { e: 1 } } } } },
        { a: { b: { c: { d: { e: 2 } } } } },
        [{ field: 'a.b.c.d', kind: 'changed', relative: null }],
      ],
      ['within depth 4, the leaf', { a: { b: { c: { d: 1 } } } }, { a: { b: { c: { d: 2 } } } }, [{ field: 'a.b.c.d', kind: 'raised', relative: 1 }]],
      ['unchanged', { amount_usd: 10, tier: 'gold' }, { tier: 'gold', amount_usd: 10 }, []],
      [
        'several, by field name',
        { z: 1, a: 'x', m: true },
        { z: 2, a: 'y', m: true, b: null },
        [
          { field: 'a', kind: 'changed', relative: null },
          { field: 'b', kind: 'added', relative: null },
          { field: 'z', kind: 'raised', relative: 1 },
        ],
      ],
    ])('%s', (_name, proposed, approved, expected) => {
      expect(parameterEdits(proposed, approved, [])).toEqual(expected);
    });

    it('a redacted field, anything under it, and secret-looking keys are never analysed', () => {
      const proposed = {
        amount_usd: 100,
        card_number: '4111111111111111',
        billing: { iban: 'NO9386011117947', city: 'Oslo' },
        password: 'hunter2',
        apiKey: 'k-1',
        auth_token: 't-1',
        CVV: '123',
        meta: { client_secret: 's-1' },
        headers: [{ token: 't-2' }],
        payout: { bank: { account: '1' } },
      };
      const approved = {
        amount_usd: 80,
        card_number: '4000000000000002',
        billing: { iban: 'NO0000000000000', city: 'Bergen' },
        password: 'hunter3',
        apiKey: 'k-2',
        auth_token: 't-3',
        CVV: '456',
        meta: { client_secret: 's-2' },
        headers: [{ token: 't-4' }],
        payout: { bank: { account: '2' } },
        session_token: 'new',
      };
      const edits = parameterEdits(proposed, approved, ['parameters.card_number', 'parameters.billing.iban', 'parameters.payout']);
      expect(edits).toEqual([
        { field: 'amount_usd', kind: 'lowered', relative: -0.2 },
        { field: 'billing.city', kind: 'changed', relative: null },
      ]);
    });

    it('without the redact list, the redacted field would be analysed (the list is what hides it)', () => {
      expect(parameterEdits({ iban: 'a' }, { iban: 'b' }, [])).toEqual([{ field: 'iban', kind: 'changed', relative: null }]);
      expect(parameterEdits({ iban: 'a' }, { iban: 'b' }, ['parameters.iban'])).toEqual([]);
      expect(parameterEdits({ iban: 'a' }, { iban: 'b' }, ['iban'])).toEqual([]);
    });
  });

  describe('field summaries', () => {
    it.each<[string, ReviewedDecision[], object]>([
      [
        'one direction: the verb and the median',
        [
          ...reviews(
            46,
            46,
            () => ({ amount_usd: 100 }),
            (p) => ({ ...p, amount_usd: 60 }),
          ),
          ...reviews(154, 0, () => ({ amount_usd: 100 })),
        ],
        {
          field: 'amount_usd',
          edited: 46,
          of: 200,
          share: 0.23,
          lowered: 46,
          raised: 0,
          median_relative_change: -0.4,
          text: 'amount_usd lowered in 23% of reviews (46 of 200), median −40%',
        },
      ],
      [
        'mixed directions: each counted, the median of all numeric edits',
        [
          ...reviews(
            30,
            30,
            () => ({ amount_usd: 100 }),
            (p) => ({ ...p, amount_usd: 80 }),
          ),
          ...reviews(
            16,
            16,
            () => ({ amount_usd: 100 }),
            (p) => ({ ...p, amount_usd: 110 }),
          ),
          ...reviews(154, 0, () => ({ amount_usd: 100 })),
        ],
        {
          edited: 46,
          lowered: 30,
          raised: 16,
          median_relative_change: -0.2,
          text: 'amount_usd edited in 23% of reviews (46 of 200): lowered 30, raised 16, median −20%',
        },
      ],
      [
        'an even count: the median between the middle two',
        [
          ...reviews(
            1,
            1,
            () => ({ qty: 10 }),
            () => ({ qty: 5 }),
          ),
          ...reviews(
            1,
            1,
            () => ({ qty: 10 }),
            () => ({ qty: 20 }),
          ),
        ],
        { lowered: 1, raised: 1, median_relative_change: 0.25, text: 'qty edited in 100% of reviews (2 of 2): lowered 1, raised 1, median +25%' },
      ],
      [
        'non-numeric: no median',
        [
          ...reviews(
            24,
            24,
            () => ({ shipping_method: 'express' }),
            () => ({ shipping_method: 'ground' }),
          ),
          ...reviews(176, 0, () => ({ shipping_method: 'express' })),
        ],
        { changed: 24, share: 0.12, median_relative_change: null, text: 'shipping_method changed in 12% of reviews (24 of 200)' },
      ],
      [
        'raised from 0 only: numeric, but no relative change to take a median of',
        [
          ...reviews(
            5,
            5,
            () => ({ tip: 0 }),
            () => ({ tip: 3 }),
          ),
          ...reviews(3, 0, () => ({ tip: 0 })),
        ],
        { raised: 5, median_relative_change: null, text: 'tip raised in 62.5% of reviews (5 of 8)' },
      ],
      [
        'denials are no review of a field: left out of "of"',
        [
          ...reviews(
            1,
            1,
            () => ({ note: 'a' }),
            () => ({}),
          ),
          denied({ note: 'a' }),
          denied({ note: 'b' }),
          ...reviews(3, 0, () => ({ note: 'a' })),
        ],
        { removed: 1, of: 4, share: 0.25, text: 'note removed in 25% of reviews (1 of 4)' },
      ],
    ])('%s', (_name, rs, expected) => {
      const analysis = analyseEdits('process_refund', rs, none);
      expect(analysis.fields).toHaveLength(1);
      expect(analysis.fields[0]).toMatchObject(expected);
    });

    it('by edited share, then by name; fields never edited are not listed; the totals count every review', () => {
      const rs = [
        ...reviews(
          3,
          3,
          () => ({ b: 1, a: 1, c: 1, d: 'x' }),
          (p) => ({ ...p, b: 2, a: 2 }),
        ),
        ...reviews(
          2,
          2,
          () => ({ b: 1, a: 1, c: 1, d: 'x' }),
          (p) => ({ ...p, c: 2 }),
        ),
        ...reviews(5, 0, () => ({ b: 1, a: 1, c: 1, d: 'x' })),
        denied({ b: 1, a: 1, c: 1, d: 'x' }),
      ];
      const analysis = analyseEdits('issue_credit', rs, none);
      expect(analysis).toMatchObject({ action: 'issue_credit', reviews: 11, approved: 10, edited: 5, suggested_rules: [] });
      expect(analysis.fields.map((f) => [f.field, f.edited, f.share])).toEqual([
        ['a', 3, 0.3],
        ['b', 3, 0.3],
        ['c', 2, 0.2],
      ]);
    });

    it('redacted and secret-looking fields appear nowhere in the analysis, even with a clear pattern on them', () => {
      // Every review with card_number 4111… or an api token "t-x" is edited: a pattern, but on a field nobody may see.
      const rs = [
        ...reviews(
          40,
          40,
          (i) => ({ ...base(i, 'in'), amount_usd: 10, card_number: '4111111111111111', api_token: 't-x' }),
          (p) => ({ ...p, card_number: '4000000000000002', api_token: 't-y' }),
        ),
        ...reviews(160, 0, (i) => ({ ...base(i, 'out'), amount_usd: 10, card_number: '5555555555554444', api_token: 't-z' })),
      ];
      const analysis = analyseEdits('process_refund', rs, { redact: ['parameters.card_number'], escalate_when: [] });
      expect(analysis.edited).toBe(40);
      expect(analysis.fields).toEqual([]);
      expect(analysis.suggested_rules).toEqual([]);
      const text = JSON.stringify(analysis);
      for (const leak of ['card_number', '4111', '4000', '5555', 'api_token', 't-x', 't-y']) expect(text).not.toContain(leak);
    });

    it('the same pattern on a visible field is suggested (so the test above can fail)', () => {
      const rs = [
        ...reviews(
          40,
          40,
          (i) => ({ ...base(i, 'in'), card_brand: 'amex' }),
          (p) => ({ ...p, card_brand: 'visa' }),
        ),
        ...reviews(160, 0, (i) => ({ ...base(i, 'out'), card_brand: 'visa' })),
      ];
      expect(analyseEdits('process_refund', rs, none).suggested_rules.map((s) => s.rule)).toEqual([{ field: 'parameters.card_brand', equals: 'amex' }]);
    });
  });

  describe('suggested escalate_when rules', () => {
    // 160 refunds below $200 (4 edited), 40 from $200 up (31 edited): reviewers lower the large ones.
    const amounts = (): ReviewedDecision[] => [
      ...reviews(31, 31, (i) => ({ ...base(i, 'hi'), amount_usd: 200 + i * 10 })),
      ...reviews(9, 0, (i) => ({ ...base(i, 'hi-ok'), amount_usd: 210 + i * 10 })),
      ...reviews(4, 4, (i) => ({ ...base(i, 'lo'), amount_usd: 20 + i * 30 })),
      ...reviews(156, 0, (i) => ({ ...base(i, 'lo-ok'), amount_usd: 5 + i })),
    ];
    // 35 enterprise customers (30 edited), 10 government (8 edited), 155 others (5 edited).
    const tiers = (government = 10, governmentEdited = 8): ReviewedDecision[] => {
      const change = (p: Record<string, unknown>) => ({ ...p, shipping_method: 'freight' });
      return [
        ...reviews(35, 30, (i) => ({ ...base(i, 'e'), customer_tier: 'enterprise', shipping_method: 'ground' }), change),
        ...reviews(government, governmentEdited, (i) => ({ ...base(i, 'g'), customer_tier: 'government', shipping_method: 'ground' }), change),
        ...reviews(80, 3, (i) => ({ ...base(i, 's'), customer_tier: 'smb', shipping_method: 'ground' }), change),
        ...reviews(75, 2, (i) => ({ ...base(i, 'c'), customer_tier: 'consumer', shipping_method: 'ground' }), change),
      ];
    };

    it('a clear numeric pattern: gte the lowest amount that still holds, with its evidence', () => {
      const analysis = analyseEdits('process_refund', amounts(), none);
      expect(analysis.suggested_rules).toEqual([
        {
          rule: { field: 'parameters.amount_usd', gte: 200 },
          edited: 31,
          of: 40,
          outside_edited: 4,
          outside_of: 160,
          text: 'reviewers edited 31 of 40 reviews with amount_usd ≥ 200 (77.5%) against 4 of 160 below (2.5%)',
        },
      ]);
    });

    it('denials count on neither side of a rule', () => {
      const withDenials = [...amounts(), ...Array.from({ length: 50 }, (_, i) => denied({ ...base(i, 'd'), amount_usd: 500 }))];
      const analysis = analyseEdits('process_refund', withDenials, none);
      expect(analysis).toMatchObject({ reviews: 250, approved: 200 });
      expect(analysis.suggested_rules).toEqual(analyseEdits('process_refund', amounts(), none).suggested_rules);
    });

    it.each<[string, () => ReviewedDecision[], EscalateWhen]>([
      ['two values reviewers mostly edit: in, sorted', () => tiers(), { field: 'parameters.customer_tier', in: ['enterprise', 'government'] }],
      ['one value: equals', () => tiers(10, 2), { field: 'parameters.customer_tier', equals: 'enterprise' }],
      ['a value with under 5 reviews does not join the rule, however edited', () => tiers(4, 4), { field: 'parameters.customer_tier', equals: 'enterprise' }],
      [
        'a boolean field',
        () => [
          ...reviews(
            30,
            27,
            (i) => ({ ...base(i, 'r'), rush: true }),
            (p) => ({ ...p, rush: false }),
          ),
          ...reviews(
            170,
            3,
            (i) => ({ ...base(i, 'n'), rush: false }),
            (p) => ({ ...p, note: 'x' }),
          ),
        ],
        { field: 'parameters.rush', equals: true },
      ],
      [
        'a nested field by dotted path',
        () => [
          ...reviews(
            30,
            27,
            (i) => ({ ...base(i, 'r'), customer: { country: 'BR' } }),
            (p) => ({ ...p, note: 'x' }),
          ),
          ...reviews(
            170,
            3,
            (i) => ({ ...base(i, 'n'), customer: { country: 'US' } }),
            (p) => ({ ...p, note: 'x' }),
          ),
        ],
        { field: 'parameters.customer.country', equals: 'BR' },
      ],
    ])('a clear categorical pattern: %s', (_name, rs, rule) => {
      expect(analyseEdits('ship_order', rs(), none).suggested_rules.map((s) => s.rule)).toEqual([rule]);
    });

    it('the categorical evidence', () => {
      expect(analyseEdits('ship_order', tiers(), none).suggested_rules[0]).toMatchObject({
        edited: 38,
        of: 45,
        outside_edited: 5,
        outside_of: 155,
        text: 'reviewers edited 38 of 45 reviews with customer_tier enterprise or government (84.4%) against 5 of 155 with other values (3.2%)',
      });
    });

    it.each<[string, ReviewedDecision[]]>([
      [
        'under half edited inside',
        [...reviews(40, 18, (i) => ({ ...base(i, 'h'), amount_usd: 500 + i })), ...reviews(160, 2, (i) => ({ ...base(i, 'l'), amount_usd: 5 + i }))],
      ],
      [
        'too many edited outside',
        [...reviews(40, 35, (i) => ({ ...base(i, 'h'), amount_usd: 500 + i })), ...reviews(160, 24, (i) => ({ ...base(i, 'l'), amount_usd: 5 + i }))],
      ],
      [
        'too few reviews inside',
        [...reviews(15, 15, (i) => ({ ...base(i, 'h'), amount_usd: 500 + i })), ...reviews(160, 0, (i) => ({ ...base(i, 'l'), amount_usd: 5 + i }))],
      ],
      [
        'too few reviews outside',
        [...reviews(60, 50, (i) => ({ ...base(i, 'h'), amount_usd: 500 + i })), ...reviews(15, 0, (i) => ({ ...base(i, 'l'), amount_usd: 5 + i }))],
      ],
      [
        'edits spread evenly over amounts and tiers (noise)',
        Array.from({ length: 200 }, (_, i) =>
          approvedAs(
            { ...base(i, 'n'), amount_usd: 10 + ((i * 37) % 500), customer_tier: ['smb', 'consumer', 'enterprise'][i % 3] },
            i % 4 === 0 ? (p) => ({ ...p, amount_usd: 1 }) : undefined,
          ),
        ),
      ],
      [
        'categorical: the values reviewers edit cover too few reviews',
        [
          ...reviews(
            12,
            10,
            (i) => ({ ...base(i, 'e'), customer_tier: 'enterprise' }),
            (p) => ({ ...p, note: 'x' }),
          ),
          ...reviews(
            188,
            2,
            (i) => ({ ...base(i, 's'), customer_tier: 'smb' }),
            (p) => ({ ...p, note: 'x' }),
          ),
        ],
      ],
    ])('a weak or noisy pattern yields none: %s', (_name, rs) => {
      expect(analyseEdits('process_refund', rs, none).suggested_rules).toEqual([]);
    });

    it.each<[string, EscalateWhen[], number]>([
      ['no rule yet', [], 1],
      ['an existing gte at the threshold', [{ field: 'parameters.amount_usd', gte: 200 }], 0],
      ['an existing gte below it', [{ field: 'parameters.amount_usd', gte: 150 }], 0],
      ['an existing gt below it', [{ field: 'parameters.amount_usd', gt: 199 }], 0],
      ['an existing gte above it does not cover it', [{ field: 'parameters.amount_usd', gte: 250 }], 1],
      ['an existing gt at it leaves 200 itself out', [{ field: 'parameters.amount_usd', gt: 200 }], 1],
      ['a rule on another field does not', [{ field: 'parameters.quantity', gte: 1 }], 1],
    ])('numeric, %s', (_name, escalate_when, suggested) => {
      expect(analyseEdits('process_refund', amounts(), { redact: [], escalate_when }).suggested_rules).toHaveLength(suggested);
    });

    it.each<[string, EscalateWhen[], number]>([
      ['the same values', [{ field: 'parameters.customer_tier', in: ['government', 'enterprise'] }], 0],
      ['a wider set', [{ field: 'parameters.customer_tier', in: ['enterprise', 'government', 'smb'] }], 0],
      ['only one of the values', [{ field: 'parameters.customer_tier', equals: 'enterprise' }], 1],
      ['a rule of another kind on the field', [{ field: 'parameters.customer_tier', exists: true }], 1],
    ])('categorical, existing rule with %s', (_name, escalate_when, suggested) => {
      expect(analyseEdits('ship_order', tiers(), { redact: [], escalate_when }).suggested_rules).toHaveLength(suggested);
    });

    it('at most three, strongest first', () => {
      // Five fields, each marking the same 40 edited reviews, with decreasing clarity outside.
      const rs = Array.from({ length: 200 }, (_, i) => {
        const inside = i < 40;
        const edited = inside ? i < 36 : i < 40 + 4;
        const flag = (leak: number) => (inside || i >= 200 - leak ? 'yes' : 'no');
        return approvedAs(
          { ...base(i, 'r'), a: flag(0), b: flag(10), c: flag(5), d: flag(15), e: inside ? 1000 + i : i },
          edited ? (p) => ({ ...p, note: 'x' }) : undefined,
        );
      });
      const analysis: EditAnalysis = analyseEdits('process_refund', rs, none);
      expect(analysis.suggested_rules.map((s) => s.rule)).toEqual([
        { field: 'parameters.a', equals: 'yes' },
        { field: 'parameters.e', gte: 1000 },
        { field: 'parameters.c', equals: 'yes' },
      ]);
    });
  });
});
