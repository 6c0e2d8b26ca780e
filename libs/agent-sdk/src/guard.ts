// Consent integrity, as the executor checks it: approved, and bound to what was approved.
import { ApprovalResolvedData, payloadHash } from '@hitl/contracts';
import { NotApprovedError, PayloadMismatchError } from './errors';

export type Resolution = ApprovalResolvedData;

/** Throws unless the resolution is approved and its action + parameters hash to its payload_hash. */
export function assertRunnable(resolution: Resolution): void {
  if (resolution.status !== 'approved') {
    throw new NotApprovedError(resolution.decision_id, resolution.status, resolution.reasons);
  }
  const actual = payloadHash(resolution.action, resolution.parameters);
  if (actual !== resolution.payload_hash) {
    throw new PayloadMismatchError(resolution.decision_id, resolution.payload_hash, actual);
  }
}

/** What action.executed carries as `output`: objects as they are, other values wrapped, nothing as null. */
export function toOutput(result: unknown): Record<string, unknown> | null {
  if (result === undefined || result === null) return null;
  if (typeof result === 'object' && !Array.isArray(result)) return result as Record<string, unknown>;
  return { value: result };
}
