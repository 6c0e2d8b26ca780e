// What the record says about an event's signature: whether it verified, who signed it,
// and why it was refused. Pure: the transport's verdict (and, for the events the proposing
// agent signs, that agent's id) in, the row's three fields out.
import { AnyEvent, Principal, SignatureVerdict, signedByProposer } from '@hitl/contracts';

/** The signature columns of a row. */
export interface SignatureRecord {
  /**
   * true: the signature verified (or the event was an unsigned proposal its workspace
   * admits). false: refused; the event is kept, marked, and never counts as a decision,
   * a resolution or a label. null: not an event whose signature is checked: a dead
   * letter, the audit's own retention record, or a row recorded before signatures were.
   */
  verified: boolean | null;
  /** Who signed it, when it verified: `service:router`, `agent:refund-bot`, `labeler:crm-sync`; null for an admitted unsigned proposal. */
  signer: string | null;
  /** `<code>: <reason>` when refused (`unsigned` or `signature_invalid`); null otherwise. */
  refusal: string | null;
}

/** The fields of a row whose signature is not checked (see SignatureRecord.verified). */
export const NOT_CHECKED: SignatureRecord = { verified: null, signer: null, refusal: null };

/** The events the agent that proposed the decision signs: any other agent signing them is refused. */
export const PROPOSER_SIGNED_TYPES: readonly string[] = ['hitl.approval.clarification_provided.v1', 'hitl.action.executed.v1'];

export const NOT_THE_PROPOSER = 'not signed by the agent that proposed the decision';

export function signerName(principal: Principal | null): string | null {
  if (principal === null) return null;
  return principal.kind === 'service' ? `service:${principal.service}` : `${principal.kind}:${principal.id}`;
}

/**
 * The row's fields for a verdict. No verdict at all means nothing vouched for the event,
 * so it counts as refused (fail closed), never as verified.
 */
export function signatureRecord(verdict: SignatureVerdict | undefined): SignatureRecord {
  if (!verdict) return { verified: false, signer: null, refusal: 'signature_invalid: the signature was not checked' };
  if (verdict.ok) return { verified: true, signer: signerName(verdict.signer), refusal: null };
  return { verified: false, signer: null, refusal: `${verdict.code}: ${verdict.reason}` };
}

/** Whether `event` is one the proposing agent must have signed (so its proposer must be known to judge it). */
export function needsProposer(event: AnyEvent): boolean {
  return PROPOSER_SIGNED_TYPES.includes(event.type);
}

/**
 * The agent that proposed a decision, as a verified event tells it: a decision.proposed
 * names it, and the router's approval.requested carries the proposal. Undefined for any
 * other event, and for one that did not verify (a forged proposal names no one).
 */
export function proposerOf(event: AnyEvent, verdict: SignatureVerdict | undefined): string | undefined {
  if (!verdict?.ok) return undefined;
  if (event.type === 'hitl.decision.proposed.v1') return event.data.agent.id;
  if (event.type === 'hitl.approval.requested.v1') return event.data.decision.agent.id;
  return undefined;
}

/**
 * The verdict once the proposer is known: an event the proposing agent signs (a
 * clarification answer, action.executed) that verified as some other agent's is refused.
 * `proposer` undefined: no verified proposal of the decision is on the record, so nobody
 * can show the signer proposed it, and it is refused too. Other events pass unchanged.
 */
export function withProposerCheck(event: AnyEvent, verdict: SignatureVerdict | undefined, proposer: string | undefined): SignatureVerdict | undefined {
  if (!verdict?.ok || !needsProposer(event)) return verdict;
  const signer = signerName(verdict.signer) ?? 'nobody';
  if (proposer === undefined) {
    return {
      ok: false,
      code: 'signature_invalid',
      reason: `no verified proposal of this decision is on the record, so nothing shows it was signed by the agent that proposed the decision (signed by ${signer})`,
      kid: verdict.kid,
    };
  }
  if (signedByProposer(verdict.signer, proposer)) return verdict;
  return { ok: false, code: 'signature_invalid', reason: `${NOT_THE_PROPOSER} (proposed by agent:${proposer}, signed by ${signer})`, kid: verdict.kid };
}
