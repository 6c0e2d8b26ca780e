import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { EVENT_TYPES, exampleEvent, subjectFieldOf } from '../src';
import { renderContractArtifacts } from '../scripts/artifacts';

const generated = join(__dirname, '..', 'generated');
const artifacts = renderContractArtifacts();

describe('exported contract artifacts', () => {
  it.each([...artifacts.keys()])('%s is committed and current (run `npm run contracts:export`)', (path) => {
    expect(readFileSync(join(generated, path), 'utf8')).toBe(artifacts.get(path));
  });

  describe.each(EVENT_TYPES)('JSON Schema of %s, as an agent in another language uses it', (type) => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(artifacts.get(`json-schema/${type}.json`)!));

    it('accepts the valid example', () => {
      expect(validate(exampleEvent(type))).toBe(true);
    });

    it.each([
      [`missing data.${subjectFieldOf(type)}`, (e: any) => delete e.data[subjectFieldOf(type)]],
      ['a wrong type', (e: any) => (e.type = 'hitl.other.v1')],
      ['id not a UUID', (e: any) => (e.id = '42')],
      ['data not an object', (e: any) => (e.data = [])],
    ])('rejects %s', (_name, mutate) => {
      const event: any = exampleEvent(type);
      mutate(event);
      expect(validate(event)).toBe(false);
    });
  });

  it('AsyncAPI 3 document names every topic, its DLQ, and every type', () => {
    const doc = parse(artifacts.get('asyncapi.yaml')!);
    expect(doc.asyncapi).toBe('3.0.0');
    const addresses = Object.values(doc.channels).map((c: any) => c.address);
    expect(addresses).toEqual(expect.arrayContaining(['decision.proposed', 'decision.proposed.dlq', 'approval.updated', 'outcome.labeled.dlq']));
    const names = Object.values(doc.components.messages).map((m: any) => m.name);
    expect(names).toEqual(expect.arrayContaining(EVENT_TYPES));
  });
});
