import { APPROVAL_RESOLVED, exampleEvent } from '@hitl/contracts';
import { repairRequested } from './hitl-agent';

const typeError = { field: 'parameters.amount_usd', rule: 'type', message: 'must be number' };
const resolution = exampleEvent(APPROVAL_RESOLVED).data;

describe('an outcome that asks the agent for a repair', () => {
  it.each<[string, Partial<typeof resolution>, boolean]>([
    [
      'blocked by the router with parameter_errors',
      { status: 'blocked', resolved_by: { kind: 'policy', id: 'sha256:m' }, parameter_errors: [typeError] },
      true,
    ],
    [
      'blocked by the router for anything else (unknown action, a refused repair_of)',
      { status: 'blocked', resolved_by: { kind: 'policy', id: 'sha256:m' } },
      false,
    ],
    ['approved', { status: 'approved', resolved_by: { kind: 'policy', id: 'sha256:m' }, parameter_errors: [typeError] }, false],
    ['denied by a person', { status: 'denied', resolved_by: { kind: 'reviewer', id: 'rev-alice' }, parameter_errors: [typeError] }, false],
    ['blocked with an empty list', { status: 'blocked', resolved_by: { kind: 'policy', id: 'sha256:m' }, parameter_errors: [] }, false],
  ])('%s: %s', (_name, fields, asked) => {
    const outcome = { ...resolution, ...fields };
    expect(repairRequested(outcome)).toEqual(asked ? [typeError] : null);
  });
});
