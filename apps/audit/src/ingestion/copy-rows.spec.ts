import { ChainedRecord } from '@hitl/audit-trail';
import { COPY_COLUMNS, copyLine, copyValue, linePrefix } from './copy-rows';

describe('copyValue (COPY text format)', () => {
  it.each([
    { name: 'null', value: null, expected: '\\N' },
    { name: 'undefined', value: undefined, expected: '\\N' },
    { name: 'an empty string (not null)', value: '', expected: '' },
    { name: 'plain text', value: 'plain', expected: 'plain' },
    { name: '"\\N" as a literal string (not null)', value: '\\N', expected: '\\\\N' },
    { name: 'a backslash', value: 'back\\slash', expected: 'back\\\\slash' },
    { name: 'two backslashes', value: '\\\\', expected: '\\\\\\\\' },
    { name: 'a tab', value: 'tab\there', expected: 'tab\\there' },
    { name: 'a newline', value: 'two\nlines', expected: 'two\\nlines' },
    { name: 'a carriage return', value: 'cr\r\nlf', expected: 'cr\\r\\nlf' },
    { name: 'the end-of-data marker on its own line', value: '\n\\.\n', expected: '\\n\\\\.\\n' },
    { name: 'an escape-looking pair', value: '\\t is not a tab', expected: '\\\\t is not a tab' },
    {
      name: 'other control characters, as they are',
      value: 'bell\u0007 vt\u000b ff\u000c bs\b esc\u001b',
      expected: 'bell\u0007 vt\u000b ff\u000c bs\b esc\u001b',
    },
    { name: 'unicode', value: 'é ü 中文 😀 \u2028 \ufeff', expected: 'é ü 中文 😀 \u2028 \ufeff' },
    { name: 'JSON text with escapes', value: '{"a":"x\\ty\\n","b":"\\\\"}', expected: '{"a":"x\\\\ty\\\\n","b":"\\\\\\\\"}' },
    { name: 'a number', value: 42, expected: '42' },
    { name: 'true', value: true, expected: 't' },
    { name: 'false', value: false, expected: 'f' },
  ])('$name', ({ value, expected }) => {
    expect(copyValue(value)).toBe(expected);
  });

  /** What COPY reads back from a field (the text format's rules, for checking the encoder against). */
  const decode = (field: string): string | null =>
    field === '\\N' ? null : field.replace(/\\(.)/g, (_m, c: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c] ?? c);

  it.each(['', '\\N', '\\', 'a\tb\nc\rd\\e', '\t\t', '\\\\N', '😀\n\\n', ' \\. '])('reads back as it was: %j', (value) => {
    const field = copyValue(value);
    expect(field).not.toMatch(/[\t\n\r]/);
    expect(decode(field)).toBe(value);
  });
});

describe('copyLine', () => {
  const record: ChainedRecord = {
    event_id: 'id\t1',
    workspace: 'acme',
    chain_index: 7,
    topic: 'hitl.decisions',
    type: 'hitl.decision.proposed.v1',
    decision_id: null,
    actor_kind: 'agent',
    actor_id: 'bot\\N',
    action: '',
    occurred_at: '2026-01-02T03:04:05.006Z',
    manifest_version: null,
    event: { summary: 'line one\nline two\ttabbed \\ back', n: 1 },
    prev_hash: 'sha256:a',
    hash: 'sha256:b',
    verified: false,
    signer: null,
    refusal: 'signature_invalid: bad\r\n',
  };

  it('one line, a field per column, the event as its JSON text', () => {
    const line = copyLine(record);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\n\r]/);
    const fields = line.slice(0, -1).split('\t');
    expect(fields).toHaveLength(COPY_COLUMNS.length);
    expect(Object.fromEntries(COPY_COLUMNS.map((c, i) => [c, fields[i]]))).toEqual({
      event_id: 'id\\t1',
      workspace: 'acme',
      chain_index: '7',
      topic: 'hitl.decisions',
      type: 'hitl.decision.proposed.v1',
      decision_id: '\\N',
      actor_kind: 'agent',
      actor_id: 'bot\\\\N',
      action: '',
      occurred_at: '2026-01-02T03:04:05.006Z',
      manifest_version: '\\N',
      event: '{"summary":"line one\\\\nline two\\\\ttabbed \\\\\\\\ back","n":1}',
      prev_hash: 'sha256:a',
      hash: 'sha256:b',
      verified: 'f',
      signer: '\\N',
      refusal: 'signature_invalid: bad\\r\\n',
    });
  });

  it('is the prefix written ahead and the chain columns', () => {
    const { chain_index: _i, prev_hash: _p, hash: _h, ...unchained } = record;
    expect(copyLine(record, linePrefix(unchained))).toBe(copyLine(record));
    expect(copyLine(record).startsWith(linePrefix(unchained))).toBe(true);
  });
});
