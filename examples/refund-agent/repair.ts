// The refund agent's repair hook (the SDK's `propose(..., { repair })`): when the router sends
// a proposal back because its parameters fail the action's schema, fix the mistakes a model
// makes writing refunds, from the machine-readable errors, and let the SDK propose the
// correction. Anything it does not know how to fix is left to a person (null).
import { ParameterError } from '@hitl/agent-sdk';
import { DecisionProposedData } from '@hitl/contracts';

/** An amount a model wrote as text (`"$12.50"`, `"12,50"`, `"1,234.56 USD"`) as a number; null when it is not one. */
export function amountFromText(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const cleaned = value
    .replace(/usd|\$|\s/gi, '')
    .replace(/,(\d{2})$/, '.$1')
    .replace(/,/g, '');
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return null;
  const amount = Number(cleaned);
  return amount > 0 ? amount : null;
}

/** Corrected parameters for the errors the router sent back, or null to hand the decision to a person as it is. */
export function repairRefund(decision: DecisionProposedData, errors: ParameterError[]): Record<string, unknown> | null {
  const parameters: Record<string, unknown> = { ...decision.parameters };
  for (const error of errors) {
    if (error.field === 'parameters.amount_usd' && error.rule === 'type') {
      const amount = amountFromText(parameters.amount_usd);
      if (amount === null) return null;
      parameters.amount_usd = amount;
    } else if (error.field === 'parameters.order_id' && error.rule === 'required' && typeof parameters.order === 'string') {
      // The order written under another name.
      parameters.order_id = parameters.order;
      delete parameters.order;
    } else {
      return null;
    }
  }
  return parameters;
}
