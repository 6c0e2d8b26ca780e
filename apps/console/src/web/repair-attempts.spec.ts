import { attemptsTable } from './repair-attempts';

const typeError = { field: 'parameters.amount_usd', rule: 'type', message: 'must be number' };
const missing = { field: 'parameters.order_id', rule: 'required', message: "must have required property 'order_id'" };

describe('the attempts of a repair chain, side by side', () => {
  it('a column per attempt, a row per parameter, the refused cells marked, the errors under each', () => {
    const table = attemptsTable([
      { decision_id: 'd1', attempt: 1, parameters: { amount_usd: '20' }, errors: [typeError, missing], current: false },
      { decision_id: 'd2', attempt: 2, parameters: { order_id: 'A', amount_usd: 'twenty' }, errors: [typeError], current: true },
    ]);
    expect(table.headers).toEqual(['Attempt 1', 'Attempt 2 (to decide)']);
    expect(table.rows).toEqual([
      {
        field: 'amount_usd',
        cells: [
          { text: '"20"', failing: true },
          { text: '"twenty"', failing: true },
        ],
      },
      {
        field: 'order_id',
        cells: [
          { text: '(missing)', failing: true },
          { text: '"A"', failing: false },
        ],
      },
    ]);
    expect(table.errors).toEqual([
      ['parameters.amount_usd: must be number (type)', "parameters.order_id: must have required property 'order_id' (required)"],
      ['parameters.amount_usd: must be number (type)'],
    ]);
  });

  it('a repair that fixed them shows no error in its column', () => {
    const table = attemptsTable([
      { decision_id: 'd1', attempt: 1, parameters: { amount_usd: '20' }, errors: [typeError], current: false },
      { decision_id: 'd2', attempt: 2, parameters: { amount_usd: 20 }, errors: [], current: true },
    ]);
    expect(table.rows[0].cells).toEqual([
      { text: '"20"', failing: true },
      { text: '20', failing: false },
    ]);
    expect(table.errors).toEqual([['parameters.amount_usd: must be number (type)'], []]);
  });
});
