import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManifestError, loadManifest } from './manifest';
import { ActionTemplate, Slot, fillTemplate, parseTemplate, templateFields, undeclaredFields } from './render-template';

const MARKS = { redacted: '[redacted]', missing: '(missing)' };

function parsed(source: string): ActionTemplate {
  const result = parseTemplate(source);
  if (result.template === null) throw new Error(result.problems.join('; '));
  return result.template;
}

/** Reads `parameters` the way the escalation does, with the listed top-level fields redacted. */
function fill(source: string, parameters: Record<string, unknown>, redacted: string[] = []): string {
  const read = (path: string[]): Slot => {
    if (redacted.includes(path.join('.'))) return { redacted: true };
    let value: unknown = parameters;
    for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return { redacted: false, value };
  };
  return fillTemplate(parsed(source), read, MARKS);
}

describe('filling a template', () => {
  it.each<[string, string, Record<string, unknown>, string]>([
    [
      'plain fields, strings quoted',
      'Close ticket {{ticket_id}} for {{customer.name}}.',
      { ticket_id: 'T-9', customer: { name: 'Ana' } },
      'Close ticket "T-9" for "Ana".',
    ],
    ['numbers, booleans, objects and arrays as JSON', '{{n}} {{b}} {{o}} {{a}}', { n: 5, b: true, o: { k: 1 }, a: [1, 'x'] }, '5 true {"k":1} [1,"x"]'],
    ['spaces inside a placeholder do not matter', '{{  amount_usd|money  }}', { amount_usd: 5 }, '$5.00'],
    ['a missing field', 'Refund {{amount_usd | money}} for order {{order_id}}.', {}, 'Refund (missing) for order (missing).'],
    ['money in US dollars by default', '{{a | money}}', { a: 1234.5 }, '$1,234.50'],
    ['money, negative and rounded to cents', '{{a | money}}', { a: -0.125 }, '-$0.13'],
    ['money in the currency a field names', '{{a | money: currency}}', { a: 80, currency: 'eur' }, '€80.00'],
    ['money whose currency field is absent: US dollars', '{{a | money: currency}}', { a: 80 }, '$80.00'],
    ['money whose currency is not a code: the text stays out', '{{a | money: currency}}', { a: 80, currency: 'euros' }, '80 (currency: not a currency code)'],
    ['money whose currency is not text', '{{a | money: p.cur}}', { a: 80, p: { cur: 978 } }, '80 (p.cur: not a currency code)'],
    ['money of something that is not a number', '{{a | money}}', { a: '12.50' }, '"12.50"'],
    ['a date', '{{d | date}}', { d: '2026-12-03' }, '3 Dec 2026'],
    ['a date of a date-time, in UTC', '{{d | date}}', { d: '2026-12-03T23:30:00-05:00' }, '4 Dec 2026'],
    ['a date-time, in UTC', '{{d | datetime}}', { d: '2026-12-03T14:25:41.5+01:00' }, '3 Dec 2026, 13:25 UTC'],
    ['a date-time of a date is the day', '{{d | datetime}}', { d: '2026-12-03' }, '3 Dec 2026'],
    ['a date-time without an offset is shown as it is', '{{d | datetime}}', { d: '2026-12-03T14:25' }, '"2026-12-03T14:25"'],
    ['a day that does not exist is shown as it is', '{{d | date}}', { d: '2026-02-30' }, '"2026-02-30"'],
    ['a date that is not ISO 8601 is shown as it is', '{{d | date}}', { d: 'tomorrow' }, '"tomorrow"'],
    ['a number is not a date', '{{d | date}}', { d: 1764770741 }, '1764770741'],
    ['a list', '{{l | list}}', { l: ['damage', 'refund', 3] }, '"damage", "refund", 3'],
    ['an empty list', '{{l | list}}', { l: [] }, '(none)'],
    ['a list of something that is not an array', '{{l | list}}', { l: 'damage' }, '"damage"'],
  ])('%s', (_name, source, parameters, expected) => {
    expect(fill(source, parameters)).toBe(expected);
  });

  it.each<[string, string, Record<string, unknown>, string[], string]>([
    ['a redacted field', 'Card {{card}}', { card: '4111' }, ['card'], 'Card [redacted]'],
    ['a redacted field with a formatter', 'Refund {{a | money}}', { a: 999 }, ['a'], 'Refund [redacted]'],
    ['a redacted date', 'Born {{d | date}}', { d: '1980-01-01' }, ['d'], 'Born [redacted]'],
    ['a redacted currency', '{{a | money: c}}', { a: 20, c: 'CHF' }, ['c'], '20 [redacted]'],
  ])('%s is masked', (_name, source, parameters, redacted, expected) => {
    expect(fill(source, parameters, redacted)).toBe(expected);
  });

  it.each<[string, unknown, string]>([
    ['template syntax', '{{card}}', '"{{card}}"'],
    ['markup', '<script>alert(1)</script>', '"<script>alert(1)</script>"'],
    ['a line break', 'a\nApproved: yes', '"a\\nApproved: yes"'],
    ['a control character', 'a\u0007b', '"a\\u0007b"'],
    ['a right-to-left override', 'ORD-1\u202Egnp.exe', '"ORD-1\\u202egnp.exe"'],
    ['hidden tag characters', 'ok\u{E0041}', '"ok\\u{e0041}"'],
    ['a quote', 'say "yes"', '"say \\"yes\\""'],
  ])('a value with %s is inert text', (_name, value, shown) => {
    expect(fill('Order {{order_id}} card {{card}}', { order_id: value, card: 'SECRET' }, ['card'])).toBe(`Order ${shown} card [redacted]`);
    expect(fill('{{l | list}}', { l: [value] })).toBe(shown);
  });

  it('lists the fields a template reads, in order, formatter arguments included', () => {
    expect(templateFields(parsed('{{b}} {{a | money: c}} {{b | list}} {{x.y}}'))).toEqual([['b'], ['a'], ['c'], ['x', 'y']]);
  });

  it('is its source when serialized', () => {
    expect(JSON.stringify({ render: parsed('Close {{t}}') })).toBe('{"render":"Close {{t}}"}');
  });
});

describe('parsing a template', () => {
  it.each<[string, string, string[]]>([
    ['an unknown formatter', 'Refund {{a | currency}}', ['{{a | currency}}: unknown formatter "currency" (known: money, date, datetime, list)']],
    ['two formatters', '{{a | money | list}}', ['{{a | money | list}}: at most one formatter']],
    ['an argument to a formatter that takes none', '{{d | date: tz}}', ['{{d | date: tz}}: date takes no argument']],
    ['two arguments', '{{a | money: c: d}}', ['{{a | money: c: d}}: money takes at most 1 field']],
    ['an empty argument', '{{a | money:}}', ['{{a | money:}}: "" is not a field name']],
    ['an expression', '{{a + 1}}', ['{{a + 1}}: "a + 1" is not a field name (letters, digits, _ and -, nested fields joined by dots)']],
    ['an empty placeholder', 'x {{}}', ['{{}}: "" is not a field name (letters, digits, _ and -, nested fields joined by dots)']],
    [
      'a section (logic)',
      '{{#vip}}VIP{{/vip}}',
      [
        '{{#vip}}: "#vip" is not a field name (letters, digits, _ and -, nested fields joined by dots)',
        '{{/vip}}: "/vip" is not a field name (letters, digits, _ and -, nested fields joined by dots)',
      ],
    ],
    ['an unclosed placeholder', 'Refund {{a', ['has "{{" without "}}" after it: {{a']],
    ['a stray close', 'Refund a}}', ['has "}}" without "{{" before it']],
    ['a line break', 'Refund\n{{a}}', ['has a line break, control or invisible character; a template is one line of plain text']],
    ['an invisible character', 'Refund\u202E {{a}}', ['has a line break, control or invisible character; a template is one line of plain text']],
    ['nothing', '  ', ['is empty']],
    ['too long', 'x'.repeat(501), ['is 501 characters long; at most 500']],
  ])('refuses %s', (_name, source, problems) => {
    expect(parseTemplate(source)).toMatchObject({ template: null, problems });
  });

  it('accepts plain text without placeholders', () => {
    expect(parsed('Ping the service.').parts).toEqual([{ text: 'Ping the service.' }]);
  });

  it('finds fields a schema does not declare, nested ones included', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' }, payer: { type: 'object', properties: { name: { type: 'string' } } } } };
    expect(undeclaredFields(parsed('{{a}} {{payer.name}} {{payer.ssn}} {{b}} {{a | money: c}} {{a.x}}'), schema)).toEqual(['payer.ssn', 'b', 'c', 'a.x']);
    expect(undeclaredFields(parsed('{{a}}'), undefined)).toEqual(['a']);
    expect(undeclaredFields(parsed('no fields'), undefined)).toEqual([]);
  });
});

describe('render in the manifest', () => {
  const manifest = (
    render: string,
    schema = '    parameters_schema: { type: object, properties: { order_id: { type: string }, amount_usd: { type: number } } }\n',
  ) => `actions:\n  process_refund:\n    severity: high\n    reversible: false\n${schema}    render: ${JSON.stringify(render)}\n`;
  function issuesOf(yaml: string): string[] {
    try {
      loadManifest(yaml);
    } catch (error) {
      if (error instanceof ManifestError) return error.issues.map((i) => `${i.path}: ${i.message}`);
      throw error;
    }
    return [];
  }

  it.each<[string, string, string[]]>([
    [
      'a field the schema does not have, naming the action',
      manifest('Refund {{amount}} for order {{order_id}}'),
      ['actions.process_refund.render: refers to {{amount}}, a field parameters_schema does not have'],
    ],
    [
      'a currency field the schema does not have',
      manifest('Refund {{amount_usd | money: currency}}'),
      ['actions.process_refund.render: refers to {{currency}}, a field parameters_schema does not have'],
    ],
    [
      'a field of an action without parameters_schema',
      manifest('Refund {{amount_usd}}', ''),
      ['actions.process_refund.render: refers to {{amount_usd}}, but the action has no parameters_schema to say the field exists'],
    ],
    [
      'an unknown formatter',
      manifest('Refund {{amount_usd | usd}}'),
      ['actions.process_refund.render: {{amount_usd | usd}}: unknown formatter "usd" (known: money, date, datetime, list)'],
    ],
    [
      'an unknown formatter and an unknown field, both',
      manifest('Refund {{amount_usd | usd}} for {{order}}'),
      [
        'actions.process_refund.render: {{amount_usd | usd}}: unknown formatter "usd" (known: money, date, datetime, list)',
        'actions.process_refund.render: refers to {{order}}, a field parameters_schema does not have',
      ],
    ],
    [
      'a template that is not text',
      manifest('x').replace('render: "x"', 'render: [x]'),
      ['actions.process_refund.render: Invalid input: expected string, received array'],
    ],
  ])('refuses %s', (_name, yaml, issues) => {
    expect(issuesOf(yaml)).toEqual(issues);
  });

  it('accepts a template over the schema, parsed on the resolved action', () => {
    const action = loadManifest(manifest('Refund {{amount_usd | money}} for order {{order_id}}.')).actions.get('process_refund')!;
    expect(action.render?.source).toBe('Refund {{amount_usd | money}} for order {{order_id}}.');
    expect(action.render?.parts).toEqual([
      { text: 'Refund ' },
      { field: ['amount_usd'], format: 'money', arg: null },
      { text: ' for order ' },
      { field: ['order_id'], format: null, arg: null },
      { text: '.' },
    ]);
  });

  it('accepts a template without fields on an action without a schema, and none at all', () => {
    expect(loadManifest(manifest('Ping the service.', '')).actions.get('process_refund')!.render?.source).toBe('Ping the service.');
    expect(loadManifest('actions:\n  ping: { severity: low, reversible: true }\n').actions.get('ping')!.render).toBeNull();
  });

  it("every action of the refunds manifest has a template, and the seed's manifest loads without any", () => {
    const refunds = loadManifest(readFileSync(join(__dirname, '../../../manifests/refunds.yaml'), 'utf8'));
    expect([...refunds.actions.values()].filter((a) => a.render === null).map((a) => a.name)).toEqual([]);
    const seed = loadManifest(readFileSync(join(__dirname, '../../../manifests/seed-004.yaml'), 'utf8'));
    expect([...seed.actions.values()].every((a) => a.render === null)).toBe(true);
  });
});
