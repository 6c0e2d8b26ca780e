import { exampleDecision } from '@hitl/contracts';
import { amountFromText, repairRefund } from '../../examples/refund-agent/repair';

const typeError = { field: 'parameters.amount_usd', rule: 'type', message: 'must be number' };
const missingOrder = { field: 'parameters.order_id', rule: 'required', message: "must have required property 'order_id'" };
const decision = (parameters: Record<string, unknown>) => ({ ...exampleDecision, parameters });

describe("the refund agent's repair hook", () => {
  it.each([
    ['$12.50', 12.5],
    ['12,50', 12.5],
    ['1,234.56 USD', 1234.56],
    [' 20 ', 20],
    ['twenty', null],
    ['-5', null],
    ['0', null],
    [12, null],
  ])('reads the amount %j as %j', (text, amount) => {
    expect(amountFromText(text)).toBe(amount);
  });

  it.each<[string, Record<string, unknown>, (typeof typeError)[], Record<string, unknown> | null]>([
    ['an amount written as text', { order_id: 'ORD-1', amount_usd: '$12.50' }, [typeError], { order_id: 'ORD-1', amount_usd: 12.5 }],
    ['the order under another name', { order: 'ORD-1', amount_usd: 5 }, [missingOrder], { order_id: 'ORD-1', amount_usd: 5 }],
    ['both at once', { order: 'ORD-1', amount_usd: '5' }, [missingOrder, typeError], { order_id: 'ORD-1', amount_usd: 5 }],
    ['an amount it cannot read: a person decides', { order_id: 'ORD-1', amount_usd: 'a lot' }, [typeError], null],
    [
      'an error it does not know: a person decides',
      { order_id: '', amount_usd: 5 },
      [{ field: 'parameters.order_id', rule: 'minLength', message: 'must NOT have fewer than 1 characters' }],
      null,
    ],
  ])('%s', (_name, parameters, errors, repaired) => {
    expect(repairRefund(decision(parameters), errors)).toEqual(repaired);
  });
});
