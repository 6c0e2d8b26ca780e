import { exampleDecision, payloadHash } from '@hitl/contracts';
import { NotApprovedError, PayloadMismatchError } from './errors';
import { Resolution, assertRunnable, toOutput } from './guard';

const parameters = { order_id: 'ORD-1', amount_usd: 20 };

function resolution(overrides: Partial<Resolution> = {}): Resolution {
  return {
    decision_id: exampleDecision.decision_id,
    approval_id: null,
    status: 'approved',
    resolved_by: { kind: 'policy', id: 'sha256:abc' },
    parameters,
    edited: false,
    reasons: [{ rule: 'amount_below_auto_approve', detail: 'amount 20 is below 50' }],
    notes: null,
    chosen_option: null,
    manifest_version: 'sha256:abc',
    confidence: 0.9,
    action: 'process_refund',
    payload_hash: payloadHash('process_refund', parameters),
    ...overrides,
  };
}

describe('guard: the executor runs only what was approved, as approved', () => {
  it('lets an approved, untouched resolution through', () => {
    expect(() => assertRunnable(resolution())).not.toThrow();
  });

  it('accepts the same parameters in another key order (the hash is of canonical JSON)', () => {
    expect(() => assertRunnable(resolution({ parameters: { amount_usd: 20, order_id: 'ORD-1' } }))).not.toThrow();
  });

  it('accepts a reviewer edit that comes with the hash of the edited parameters', () => {
    const edited = { order_id: 'ORD-1', amount_usd: 15 };
    expect(() => assertRunnable(resolution({ parameters: edited, edited: true, payload_hash: payloadHash('process_refund', edited) }))).not.toThrow();
  });

  it('refuses parameters changed after approval, naming both hashes', () => {
    const tampered = resolution({ parameters: { order_id: 'ORD-1', amount_usd: 2000 } });
    expect(() => assertRunnable(tampered)).toThrow(PayloadMismatchError);
    expect(() => assertRunnable(tampered)).toThrow(tampered.payload_hash);
  });

  it('refuses an action swapped after approval', () => {
    expect(() => assertRunnable(resolution({ action: 'wire_money' }))).toThrow(PayloadMismatchError);
  });

  it.each(['denied', 'blocked', 'expired'] as const)('refuses a %s decision with its status and reasons', (status) => {
    const refused = resolution({ status, reasons: [{ rule: 'unknown_action', detail: 'wire_money is not in the manifest' }] });
    let error: unknown;
    try {
      assertRunnable(refused);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NotApprovedError);
    expect(error).toMatchObject({ code: 'not_approved', status, reasons: refused.reasons });
    expect((error as Error).message).toContain('wire_money is not in the manifest');
  });

  it('reports objects as output, wraps other values, and nothing as null', () => {
    expect(toOutput({ refund_id: 'r-1' })).toEqual({ refund_id: 'r-1' });
    expect(toOutput(42)).toEqual({ value: 42 });
    expect(toOutput([1])).toEqual({ value: [1] });
    expect(toOutput(undefined)).toBeNull();
  });
});
