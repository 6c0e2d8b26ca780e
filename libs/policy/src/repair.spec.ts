import { loadManifest } from './manifest';
import { RecordedAttempt, RepairClaim, maskParameters, parameterErrors, refuseRepair } from './repair';

const manifest = loadManifest(`
actions:
  a:
    severity: high
    reversible: false
    approval_required: true
    parameters_schema:
      type: object
      required: [order_id, amount_usd]
      additionalProperties: false
      properties:
        order_id: { type: string, minLength: 1 }
        amount_usd: { type: number, exclusiveMinimum: 0 }
        currency: { enum: [USD, EUR] }
        items: { type: array, items: { type: object, required: [sku] } }
        "a/b": { type: string }
`);
const validate = manifest.actions.get('a')!.validateParameters!;
const errorsOf = (parameters: unknown) => {
  validate(parameters);
  return parameterErrors(validate.errors);
};

describe('parameter errors: what fails the schema, machine-readable (field, rule, message)', () => {
  it.each([
    ['a wrong type', { order_id: 'A', amount_usd: '10' }, [{ field: 'parameters.amount_usd', rule: 'type', message: 'must be number' }]],
    [
      'a missing field is named itself',
      { amount_usd: 10 },
      [{ field: 'parameters.order_id', rule: 'required', message: "must have required property 'order_id'" }],
    ],
    [
      'an unexpected field is named itself',
      { order_id: 'A', amount_usd: 10, note: 'x' },
      [{ field: 'parameters.note', rule: 'additionalProperties', message: 'must NOT have additional properties' }],
    ],
    ['a bound', { order_id: 'A', amount_usd: 0 }, [{ field: 'parameters.amount_usd', rule: 'exclusiveMinimum', message: 'must be > 0' }]],
    [
      'an empty string',
      { order_id: '', amount_usd: 1 },
      [{ field: 'parameters.order_id', rule: 'minLength', message: 'must NOT have fewer than 1 characters' }],
    ],
    [
      'an enum, without the value',
      { order_id: 'A', amount_usd: 1, currency: 'GBP' },
      [{ field: 'parameters.currency', rule: 'enum', message: 'must be equal to one of the allowed values' }],
    ],
    [
      'inside an array',
      { order_id: 'A', amount_usd: 1, items: [{ sku: 'x' }, {}] },
      [{ field: 'parameters.items.1.sku', rule: 'required', message: "must have required property 'sku'" }],
    ],
    [
      'a key with a slash (JSON Pointer unescaped)',
      { order_id: 'A', amount_usd: 1, 'a/b': 3 },
      [{ field: 'parameters.a/b', rule: 'type', message: 'must be string' }],
    ],
    [
      'every error at once',
      { amount_usd: 'x' },
      [
        { field: 'parameters.order_id', rule: 'required', message: "must have required property 'order_id'" },
        { field: 'parameters.amount_usd', rule: 'type', message: 'must be number' },
      ],
    ],
  ])('%s', (_name, parameters, expected) => {
    expect(errorsOf(parameters)).toEqual(expected);
  });

  it('never answers with no error for parameters that failed', () => {
    expect(parameterErrors(null)).toEqual([{ field: 'parameters', rule: 'schema', message: "does not match the action's schema" }]);
  });
});

describe('refuseRepair: a repair names its own agent’s decision that was sent back, once', () => {
  const claim: RepairClaim = {
    decision_id: 'd2',
    repair_of: 'd1',
    workspace: 'acme',
    agent_id: 'refund-bot',
    action: 'process_refund',
    signed: true,
  };
  const sentBack: RecordedAttempt = {
    decision_id: 'd1',
    workspace: 'acme',
    agent_id: 'refund-bot',
    action: 'process_refund',
    signed: true,
    parameter_errors: [{ field: 'parameters.amount_usd', rule: 'type', message: 'must be number' }],
    repaired_by: null,
  };
  const notOurs = 'repair_of d1 is not a decision of agent "refund-bot" in workspace "acme"';

  it.each<[string, Partial<RepairClaim>, Partial<RecordedAttempt> | null, string | null]>([
    ['its own decision, sent back: accepted', {}, {}, null],
    ['a copy of the same repair (delivered twice) is still that repair', {}, { repaired_by: 'd2' }, null],
    ['an unsigned agent continuing its own unsigned chain', { signed: false }, { signed: false }, null],
    ['a decision the router never saw', {}, null, notOurs],
    ["another agent's decision", {}, { agent_id: 'other-bot' }, notOurs],
    ['a decision of another workspace', {}, { workspace: 'globex' }, notOurs],
    ['a proposal that broke the contract (no agent recorded)', {}, { agent_id: null }, notOurs],
    ["an unsigned proposal continuing a signed agent's chain", { signed: false }, {}, notOurs],
    ['itself', { decision_id: 'd1' }, {}, 'a decision cannot repair itself'],
    ['another action', { action: 'wire_money' }, {}, 'repair_of d1 proposed "process_refund", not "wire_money"'],
    ['a decision that was not sent back (approved, reviewed, blocked otherwise)', {}, { parameter_errors: null }, 'decision d1 was not sent back for a repair'],
    ['an attempt already repaired by another decision', {}, { repaired_by: 'd9' }, 'decision d1 is already repaired by decision d9; repair the latest attempt'],
  ])('%s', (_name, claimChanges, namedChanges, refusal) => {
    const answer = refuseRepair({ ...claim, ...claimChanges }, namedChanges === null ? undefined : { ...sentBack, ...namedChanges });
    if (refusal === null) expect(answer).toBeNull();
    else expect(answer).toContain(refusal);
  });

  it("says nothing of another agent's decision: unknown and foreign read the same", () => {
    expect(refuseRepair(claim, { ...sentBack, agent_id: 'other-bot' })).toBe(refuseRepair(claim, undefined));
    expect(refuseRepair(claim, { ...sentBack, workspace: 'globex', action: 'x' })).toBe(refuseRepair(claim, undefined));
  });
});

describe('maskParameters: the redact paths under parameters', () => {
  it.each([
    ['a top-level field', { card_number: '4111', a: 1 }, ['parameters.card_number'], { card_number: '[REDACTED]', a: 1 }],
    ['a nested field', { card: { number: '4111', exp: '12/30' } }, ['parameters.card.number'], { card: { number: '[REDACTED]', exp: '12/30' } }],
    ['a path that is absent is left absent', { a: 1 }, ['parameters.card_number'], { a: 1 }],
    ['paths outside parameters are not its business', { a: 1 }, ['context.email'], { a: 1 }],
  ])('%s', (_name, parameters, redact, expected) => {
    const before = structuredClone(parameters);
    expect(maskParameters(parameters, redact)).toEqual(expected);
    expect(parameters).toEqual(before); // a copy: the decision itself keeps its values
  });
});
